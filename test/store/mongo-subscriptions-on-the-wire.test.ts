import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import type { SubscriptionState } from "../../src/billing/subscription-store.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The subscription store's commands as the real driver sends them (no MongoDB here): a put is
 * one findAndModify conditioned on the account, upserting, validated; the month roll's page is
 * a find by status after a subscription id, operators intact through sanitizeFilter.
 */
const { Long, ObjectId } = mongoose.mongo;
const DB = "jasper_subscriptions";
let stub: MongoWireStub;
let store: Store;
beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

describe("the mongo subscription store on the wire", () => {
  /** A yearly subscription's state, active; each test names its ids and plan. */
  const yearly = {
    accountId: toAccountId(7),
    interval: "year" as const,
    status: "active" as const,
    currentPeriodStart: new Date("2026-12-15T00:00:00Z"),
    currentPeriodEnd: new Date("2027-12-15T00:00:00Z"),
    cancelAtPeriodEnd: false,
    updatedAt: new Date("2026-12-15T00:00:01Z"),
  };
  it("puts a subscription in one conditioned upsert", async () => {
    // What a server answers for an upsert that inserted: no document before it.
    stub.answerNext("findAndModify", { ok: 1, value: null, lastErrorObject: { n: 1 } });
    const sent = await sentTo(stub, DB, () =>
      store.subscriptions.put({
        accountId: toAccountId(7),
        customerId: "cus_1",
        subscriptionId: "sub_1",
        plan: "pro",
        interval: "year",
        status: "active",
        currentPeriodStart: new Date("2026-12-15T00:00:00Z"),
        currentPeriodEnd: new Date("2027-12-15T00:00:00Z"),
        cancelAtPeriodEnd: false,
        updatedAt: new Date("2026-12-15T00:00:01Z"),
      }),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      name: "findAndModify",
      command: {
        findAndModify: "subscriptions",
        query: {
          subscriptionId: "sub_1",
          accountId: 7,
          updatedAt: { $lte: new Date("2026-12-15T00:00:01Z") },
        },
        upsert: true,
        new: false,
        update: {
          $set: { plan: "pro", interval: "year", status: "active", cancelAtPeriodEnd: false },
          $setOnInsert: { subscriptionId: "sub_1", accountId: 7 },
          // Replaced whole: no scheduled change or operator's terms in the state drops a
          // stored one.
          $unset: { scheduledChange: 1, custom: 1 },
        },
      },
    });
  });

  it("a put the condition refuses reads the stored state: newer is stale, another account's a conflict", async () => {
    const stored = {
      _id: new ObjectId(),
      accountId: 7,
      customerId: "cus_1",
      subscriptionId: "sub_1",
      plan: "team",
      interval: "year",
      status: "active",
      currentPeriodStart: new Date("2026-12-15T00:00:00Z"),
      currentPeriodEnd: new Date("2027-12-15T00:00:00Z"),
      cancelAtPeriodEnd: false,
      updatedAt: new Date("2026-12-15T00:00:09Z"),
    };
    const late = { ...yearly, customerId: "cus_1", subscriptionId: "sub_1", plan: "pro" };
    const found = (doc: object) => ({
      cursor: { id: Long.fromNumber(0), ns: `${DB}.subscriptions`, firstBatch: [doc] },
      ok: 1,
    });
    // What a server answers when the filter matched nothing and the upsert hit the unique index.
    const duplicate = {
      ok: 0,
      code: 11000,
      codeName: "DuplicateKey",
      errmsg: "E11000 duplicate key error collection: subscriptions index: subscriptionId_1",
    };
    stub.answerNext("findAndModify", duplicate);
    stub.answerNext("find", found(stored));
    const sent = await sentTo(stub, DB, async () => {
      const { _id, accountId, ...rest } = stored;
      expect(_id).toBeDefined();
      expect(await store.subscriptions.put(late)).toEqual({
        status: "stale",
        current: { ...rest, accountId: toAccountId(accountId) },
      });
    });
    expect(sent.map((c) => c.name)).toEqual(["findAndModify", "find"]);
    expect(sent[1]).toMatchObject({ command: { filter: { subscriptionId: "sub_1" } } });
    stub.answerNext("findAndModify", duplicate);
    stub.answerNext("find", found({ ...stored, accountId: 8 }));
    expect(await store.subscriptions.put(late)).toEqual({ status: "conflict" });
  });

  /** What a put's update removes from the stored document. */
  const unsetOf = (put: { command: unknown }) =>
    (put.command as { update: { $unset?: Record<string, unknown> } }).update.$unset;

  /** Puts `state` (an upsert that inserted) and finds it back; answers the put's command. */
  async function putThenFind(state: SubscriptionState) {
    stub.answerNext("findAndModify", { ok: 1, value: null, lastErrorObject: { n: 1 } });
    const [put] = await sentTo(stub, DB, () => store.subscriptions.put(state));
    const { accountId, ...rest } = state;
    stub.answerNext("find", {
      cursor: {
        id: Long.fromNumber(0),
        ns: `${DB}.subscriptions`,
        firstBatch: [{ _id: new ObjectId(), accountId: accountId as number, ...rest }],
      },
      ok: 1,
    });
    expect(await store.subscriptions.find(state.subscriptionId)).toStrictEqual(state);
    return put!;
  }

  it("writes an enterprise plan's terms with its state, and reads them back", async () => {
    const custom = {
      name: "Enterprise",
      creditsPerMonth: 5000,
      priceCents: 250000,
      daysUntilDue: 30,
    };
    const put = await putThenFind({
      ...yearly,
      customerId: "enterprise",
      subscriptionId: "enterprise_7",
      plan: "enterprise-7",
      custom,
    });
    expect(put).toMatchObject({
      command: { update: { $set: { custom }, $unset: { scheduledChange: 1 } } },
    });
    expect(unsetOf(put)).not.toHaveProperty("custom");
  });

  it("writes a scheduled change with its state, and reads it back", async () => {
    const scheduledChange = {
      plan: "starter",
      interval: "month" as const,
      effectiveAt: new Date("2027-12-15T00:00:00Z"),
    };
    const put = await putThenFind({
      ...yearly,
      customerId: "cus_1",
      subscriptionId: "sub_7",
      plan: "pro",
      scheduledChange,
    });
    expect(put).toMatchObject({
      command: { update: { $set: { scheduledChange }, $unset: { custom: 1 } } },
    });
    expect(unsetOf(put)).not.toHaveProperty("scheduledChange");
  });

  it("pages the month roll by status after a subscription id", async () => {
    const sent = await sentTo(stub, DB, () =>
      store.subscriptions.listByStatus(["active", "trialing"], "sub_1", 50),
    );
    expect(sent[0]).toMatchObject({
      name: "find",
      command: {
        find: "subscriptions",
        filter: { status: { $in: ["active", "trialing"] }, subscriptionId: { $gt: "sub_1" } },
        sort: { subscriptionId: 1 },
        limit: 50,
      },
    });
  });
});
