import { afterAll, afterEach, describe, expect, it, jest } from "@jest/globals";
import mongoose, { type QueryOptions } from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import { ledgerEntryModel } from "../../src/store/mongo/models/ledger-entry.js";
import { MongoLedgerStore } from "../../src/store/mongo/mongo-ledger-store.js";

/**
 * Which ledger reads ask for majority-committed data, without a MongoDB: every query the store
 * builds runs up to Query#exec, which records the options mongoose would hand the driver
 * (query.js, _optionsForExec copies them) and answers "nothing found".
 */
const conn = mongoose.createConnection(); // never connected: queries are built, never sent
const store = new MongoLedgerStore(ledgerEntryModel(conn));
afterAll(() => conn.close());

const sent: QueryOptions[] = [];
const exec = jest.spyOn(mongoose.Query.prototype, "exec").mockImplementation(async function (
  this: mongoose.Query<unknown, unknown>,
) {
  sent.push(this.getOptions());
  return (this as unknown as { op?: string }).op === "find" ? [] : null;
});
afterEach(() => void sent.splice(0));
afterAll(() => exec.mockRestore());

const account = toAccountId(7);

describe("mongo ledger store: read concern", () => {
  it("reads the newest entry, which every balance and next entry is built on, at majority", async () => {
    expect(await store.latest(account)).toBeNull();
    expect(sent).toEqual([
      expect.objectContaining({ sort: { seq: -1 }, readConcern: { level: "majority" } }),
    ]);
  });

  it("looks up an idempotency key, which decides a replay, at majority", async () => {
    expect(await store.findByKey(account, "charge-1")).toBeNull();
    expect(sent).toEqual([expect.objectContaining({ readConcern: { level: "majority" } })]);
  });

  it("leaves the reads nothing is decided on at the connection's default", async () => {
    await store.findById(account, new mongoose.Types.ObjectId().toHexString());
    await store.list(account, { limit: 10 });
    expect(sent).toHaveLength(2);
    for (const options of sent) expect(options.readConcern).toBeUndefined();
  });
});
