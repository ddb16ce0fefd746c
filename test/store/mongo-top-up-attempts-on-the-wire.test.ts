import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The top-up attempt store as the mongo store sends it (no MongoDB here): the unique partial
 * index that lets one attempt per account be in flight, a refused insert read as "busy", a
 * settle conditioned on "in flight", and the recent attempts' filter surviving
 * sanitizeFilter. The stub enforces no index: the race is its scripted answer.
 */
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_top_up_attempts";
const account = toAccountId(99);
const at = new Date("2026-12-15T10:00:00Z");
const attempt = {
  attemptKey: "auto-top-up:99:e1",
  accountId: account,
  packageId: "growth",
  credits: 500,
  priceCents: 12250,
  currency: "usd",
  customerId: "cus_T",
  paymentMethodId: "pm_1",
  createdAt: at,
};

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);

describe("the top-up attempt store on the wire", () => {
  it("the migration builds the one-in-flight index, partial on the state", () => {
    const built = stub.received.filter((r) => r.db === DB && r.name === "createIndexes");
    expect(built.flatMap((r) => r.command.indexes as object[])).toContainEqual({
      key: { accountId: 1, state: 1 },
      name: "accountId_1_state_1",
      unique: true,
      partialFilterExpression: { state: "in_flight" },
    });
  });

  it("inserts the attempt in flight, and answers busy when another holds the account", async () => {
    const [insert] = await sent(() => store.topUpAttempts.begin(attempt));
    expect((insert!.command.documents as object[])[0]).toMatchObject({
      attemptKey: "auto-top-up:99:e1",
      accountId: 99,
      state: "in_flight",
      paymentIntent: null,
    });

    stub.answerNext("insert", {
      ok: 1,
      n: 0,
      writeErrors: [
        {
          index: 0,
          code: 11000,
          errmsg:
            "E11000 duplicate key error collection: top_up_attempts index: accountId_1_state_1",
          keyPattern: { accountId: 1, state: 1 },
          keyValue: { accountId: 99, state: "in_flight" },
        },
      ],
    });
    let result: unknown;
    const [, read] = await sent(async () => {
      result = await store.topUpAttempts.begin({ ...attempt, attemptKey: "auto-top-up:99:e2" });
    });
    // The refused key is looked for first (it could be the one in flight), then "busy".
    expect(read).toMatchObject({
      name: "find",
      command: { filter: { accountId: 99, attemptKey: "auto-top-up:99:e2" } },
    });
    expect(result).toStrictEqual({ status: "busy" });
  });

  it("settles only an attempt in flight, and lists recent ones with their operators intact", async () => {
    stub.answerNext("findAndModify", { ok: 1, lastErrorObject: { n: 0 }, value: null });
    const [settle] = await sent(() =>
      store.topUpAttempts.settle(account, "auto-top-up:99:e1", "declined", at),
    );
    expect(settle).toMatchObject({
      name: "findAndModify",
      command: {
        query: { accountId: 99, attemptKey: "auto-top-up:99:e1", state: "in_flight" },
        update: { $set: { state: "failed", outcome: "declined", settledAt: at } },
      },
    });
    const since = new Date("2026-12-01T00:00:00Z");
    const [find] = await sent(() => store.topUpAttempts.recent(account, since));
    expect(find).toMatchObject({
      name: "find",
      command: {
        find: "top_up_attempts",
        filter: { accountId: 99, $or: [{ createdAt: { $gte: since } }, { state: "in_flight" }] },
        sort: { createdAt: -1 },
      },
    });
  });

  it("settles paid one in flight or recorded as not paid, the operator surviving sanitizeFilter", async () => {
    stub.answerNext("findAndModify", { ok: 1, lastErrorObject: { n: 0 }, value: null });
    const [settle] = await sent(() =>
      store.topUpAttempts.settle(account, "auto-top-up:99:e1", "paid", at),
    );
    expect(settle).toMatchObject({
      name: "findAndModify",
      command: {
        query: {
          accountId: 99,
          attemptKey: "auto-top-up:99:e1",
          state: { $in: ["in_flight", "failed"] },
        },
        update: { $set: { state: "succeeded", outcome: "paid", settledAt: at } },
      },
    });
  });
});
