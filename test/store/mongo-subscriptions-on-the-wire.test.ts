import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The subscription store's commands as the real driver sends them (no MongoDB here): a put is
 * one findAndModify conditioned on the account, upserting, validated; the month roll's page is
 * a find by status after a subscription id, operators intact through sanitizeFilter.
 */
const DB = "jasper_subscriptions";
let stub: MongoWireStub;
let store: Store;
beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

describe("the mongo subscription store on the wire", () => {
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
        query: { subscriptionId: "sub_1", accountId: 7 },
        upsert: true,
        new: false,
        update: {
          $set: { plan: "pro", interval: "year", status: "active", cancelAtPeriodEnd: false },
          $setOnInsert: { subscriptionId: "sub_1", accountId: 7 },
        },
      },
    });
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
