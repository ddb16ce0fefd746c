import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The Stripe customer store as the mongo store sends it (no MongoDB here): both unique
 * indexes built by the migration, a duplicate account answered with the first record, the
 * card saved in one conditional update whose operators survive sanitizeFilter, and removed
 * only when it is the named one. The stub enforces no index: a race is its scripted answer.
 */
const { ObjectId, Long } = mongoose.mongo;
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_stripe_customers";
const account = toAccountId(77);
const createdAt = new Date("2026-12-01T09:00:00Z");

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);

describe("the Stripe customer store on the wire", () => {
  it("the migration builds a unique index on the account and one on the customer", async () => {
    const built = stub.received.filter((r) => r.db === DB && r.name === "createIndexes");
    const indexes = built.flatMap((r) => r.command.indexes as object[]);
    expect(indexes).toContainEqual({ key: { accountId: 1 }, name: "accountId_1", unique: true });
    expect(indexes).toContainEqual({ key: { customerId: 1 }, name: "customerId_1", unique: true });
  });

  it("inserts the customer, and reads the first one back when the account already has one", async () => {
    const [insert] = await sent(() =>
      store.stripeCustomers.record({ accountId: account, customerId: "cus_A", createdAt }),
    );
    expect(insert).toMatchObject({ name: "insert", command: { insert: "stripe_customers" } });
    expect((insert!.command.documents as object[])[0]).toMatchObject({
      accountId: 77,
      customerId: "cus_A",
      createdAt,
      paymentMethod: null,
    });

    stub.answerNext("insert", {
      ok: 1,
      n: 0,
      writeErrors: [
        {
          index: 0,
          code: 11000,
          errmsg: "E11000 duplicate key error collection: stripe_customers index: accountId_1",
          keyPattern: { accountId: 1 },
          keyValue: { accountId: 77 },
        },
      ],
    });
    const first = {
      _id: new ObjectId(),
      accountId: 77,
      customerId: "cus_A",
      createdAt,
      paymentMethod: null,
    };
    stub.answerNext("find", {
      cursor: { id: Long.fromNumber(0), ns: `${DB}.stripe_customers`, firstBatch: [first] },
      ok: 1,
    });
    let result: unknown;
    const [, read] = await sent(async () => {
      result = await store.stripeCustomers.record({
        accountId: account,
        customerId: "cus_B",
        createdAt,
      });
    });
    expect(read).toMatchObject({ name: "find", command: { filter: { accountId: 77 } } });
    expect(result).toStrictEqual({
      status: "exists",
      record: { accountId: account, customerId: "cus_A", createdAt, paymentMethod: null },
    });
  });

  it("saves a card in one update conditioned on the customer and on no later card", async () => {
    const savedAt = new Date("2026-12-02T10:00:00Z");
    const method = { id: "pm_1", brand: "visa", last4: "4242", savedAt };
    stub.answerNext("findAndModify", {
      ok: 1,
      lastErrorObject: { n: 1, updatedExisting: true },
      value: {
        _id: new ObjectId(),
        accountId: 77,
        customerId: "cus_A",
        createdAt,
        paymentMethod: method,
      },
    });
    let result: unknown;
    const [update] = await sent(async () => {
      result = await store.stripeCustomers.savePaymentMethod(account, "cus_A", method);
    });
    expect(update).toMatchObject({
      name: "findAndModify",
      command: {
        findAndModify: "stripe_customers",
        query: {
          accountId: 77,
          customerId: "cus_A",
          $or: [{ paymentMethod: null }, { "paymentMethod.savedAt": { $lte: savedAt } }],
        },
        update: { $set: { paymentMethod: method } },
        new: true,
      },
    });
    expect(result).toStrictEqual({
      status: "saved",
      record: { accountId: account, customerId: "cus_A", createdAt, paymentMethod: method },
    });
  });

  it("removes the card only where it is the named one", async () => {
    const [update] = await sent(() => store.stripeCustomers.removePaymentMethod(account, "pm_1"));
    expect(update).toMatchObject({
      name: "update",
      command: {
        update: "stripe_customers",
        updates: [
          {
            q: { accountId: 77, "paymentMethod.id": "pm_1" },
            u: { $set: { paymentMethod: null } },
          },
        ],
      },
    });
  });
});
