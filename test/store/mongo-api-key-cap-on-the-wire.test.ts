import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { generateApiKey } from "../../src/accounts/api-keys.js";
import { toAccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The API-key cap as the mongo store sends it: the slots read, one insert taking the first
 * free one, guarded by the unique (accountId, slot) index; a lost race read again; a revoked
 * key's slot given back in the revoking write. The stub enforces no index: the races are its
 * scripted answers, as a server would give them.
 */
const { ObjectId, Long } = mongoose.mongo;
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_key_cap";
const account = toAccountId(31);
const newKey = () => ({
  accountId: account,
  name: "ci",
  scope: "read" as const,
  ...generateApiKey(),
});

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);

const activeKeys = (docs: object[]) => ({
  cursor: { id: Long.fromNumber(0), ns: `${DB}.api_keys`, firstBatch: docs },
  ok: 1,
});
const slotTaken = {
  ok: 1,
  n: 0,
  writeErrors: [
    {
      index: 0,
      code: 11000,
      errmsg: "E11000 duplicate key error collection: api_keys index: accountId_1_slot_1",
      keyPattern: { accountId: 1, slot: 1 },
      keyValue: { accountId: 31, slot: 0 },
    },
  ],
};

describe("the API-key cap on the wire", () => {
  it("the migration builds the unique partial (accountId, slot) index", async () => {
    const built = stub.received.filter((r) => r.db === DB && r.name === "createIndexes");
    expect(built.flatMap((r) => r.command.indexes as object[])).toContainEqual({
      key: { accountId: 1, slot: 1 },
      name: "accountId_1_slot_1",
      unique: true,
      partialFilterExpression: { slot: { $type: "number" } },
    });
  });

  it("reads the active keys' slots, then inserts the key in the first free slot", async () => {
    stub.answerNext(
      "find",
      activeKeys([
        { _id: new ObjectId(), slot: 0 },
        { _id: new ObjectId(), slot: 2 },
      ]),
    );
    const [read, insert, ...rest] = await sent(() => store.apiKeys.create(newKey(), 25));
    expect(read).toMatchObject({
      name: "find",
      command: {
        find: "api_keys",
        filter: { accountId: 31, revokedAt: null },
        projection: { _id: 1, slot: 1 },
      },
    });
    expect(insert).toMatchObject({
      name: "insert",
      command: { documents: [{ accountId: 31, slot: 1 }] },
    });
    expect(rest).toEqual([]);
  });

  it("a slot taken meanwhile is a lost race: it reads again and takes another", async () => {
    stub.answerNext("insert", slotTaken);
    stub.answerNext("find", activeKeys([]));
    stub.answerNext("find", activeKeys([{ _id: new ObjectId(), slot: 0 }]));
    const commands = await sent(async () => {
      expect(await store.apiKeys.create(newKey(), 25)).not.toBeNull();
    });
    expect(commands.map((r) => r.name)).toEqual(["find", "insert", "find", "insert"]);
    expect(commands[3]!.command.documents).toMatchObject([{ slot: 1 }]);
  });

  it("with every slot below the cap held, it refuses without writing", async () => {
    const full = Array.from({ length: 3 }, (_, slot) => ({ _id: new ObjectId(), slot }));
    stub.answerNext("find", activeKeys(full));
    const commands = await sent(async () => {
      expect(await store.apiKeys.create(newKey(), 3)).toBeNull();
    });
    expect(commands.map((r) => r.name)).toEqual(["find"]);
  });

  it("a key from before slots is given one first, so it counts against the cap", async () => {
    const old = new ObjectId();
    stub.answerNext("find", activeKeys([{ _id: old }, { _id: new ObjectId(), slot: 0 }]));
    const commands = await sent(() => store.apiKeys.create(newKey(), 25));
    expect(commands.map((r) => r.name)).toEqual(["find", "update", "find", "insert"]);
    expect(commands[1]!.command.updates).toMatchObject([
      { q: { _id: old, revokedAt: null, slot: { $exists: false } }, u: { $set: { slot: 1 } } },
    ]);
  });

  it("revoking gives the slot back in the same write", async () => {
    const id = new ObjectId().toHexString();
    const [update] = await sent(() => store.apiKeys.revoke(account, id));
    expect(update).toMatchObject({
      name: "update",
      command: {
        updates: [
          {
            q: { accountId: 31, revokedAt: null },
            u: { $set: { revokedAt: expect.any(Date) }, $unset: { slot: 1 } },
          },
        ],
      },
    });
  });
});
