import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The auto top-up store as the mongo store sends it (no MongoDB here): the unique account
 * index, an admin's save as one upsert naming every field, and a switch-off conditioned on
 * "on" so that of concurrent ones a single one matches.
 */
const { ObjectId } = mongoose.mongo;
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_auto_top_up";
const account = toAccountId(88);
const at = new Date("2026-12-01T10:00:00Z");
const settings = {
  enabled: true,
  packageId: "growth",
  thresholdCredits: 20,
  monthlyMaxCount: 3,
  monthlyMaxCents: 36750,
};

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);
const answer = (doc: object | null) =>
  stub.answerNext("findAndModify", {
    ok: 1,
    lastErrorObject: { n: doc ? 1 : 0, updatedExisting: doc !== null },
    value: doc,
  });

describe("the auto top-up store on the wire", () => {
  it("the migration builds the unique account index", () => {
    const built = stub.received.filter((r) => r.db === DB && r.name === "createIndexes");
    expect(built.flatMap((r) => r.command.indexes as object[])).toContainEqual({
      key: { accountId: 1 },
      name: "accountId_1",
      unique: true,
    });
  });

  it("saves the whole settings in one upsert and clears why it went off", async () => {
    const doc = {
      _id: new ObjectId(),
      accountId: 88,
      ...settings,
      switchedOffBecause: null,
      updatedAt: at,
    };
    answer(doc);
    let result: unknown;
    const [update] = await sent(async () => {
      result = await store.autoTopUp.save(account, settings, at);
    });
    expect(update).toMatchObject({
      name: "findAndModify",
      command: {
        findAndModify: "auto_top_ups",
        query: { accountId: 88 },
        update: { $set: { ...settings, switchedOffBecause: null, updatedAt: at } },
        upsert: true,
        new: true,
      },
    });
    expect(result).toStrictEqual({
      accountId: account,
      ...settings,
      switchedOffBecause: null,
      updatedAt: at,
    });
  });

  it("switches off only a record that is on", async () => {
    answer(null);
    let result: unknown;
    const [update] = await sent(async () => {
      result = await store.autoTopUp.switchOff(account, "declined", at);
    });
    expect(update).toMatchObject({
      name: "findAndModify",
      command: {
        query: { accountId: 88, enabled: true },
        update: { $set: { enabled: false, switchedOffBecause: "declined", updatedAt: at } },
      },
    });
    expect(result).toBeNull();
  });

  it("lists a page of records after an account, in account order, on the account index", async () => {
    const doc = {
      _id: new ObjectId(),
      accountId: 89,
      ...settings,
      switchedOffBecause: null,
      updatedAt: at,
    };
    stub.answerNext("find", {
      cursor: {
        id: mongoose.mongo.Long.fromNumber(0),
        ns: `${DB}.auto_top_ups`,
        firstBatch: [doc],
      },
      ok: 1,
    });
    let result: unknown;
    const [find] = await sent(async () => {
      result = await store.autoTopUp.listAfter(88, 50);
    });
    expect(find).toMatchObject({
      name: "find",
      command: {
        find: "auto_top_ups",
        filter: { accountId: { $gt: 88 } },
        sort: { accountId: 1 },
        limit: 50,
      },
    });
    expect(result).toStrictEqual([
      { accountId: toAccountId(89), ...settings, switchedOffBecause: null, updatedAt: at },
    ]);
  });
});
