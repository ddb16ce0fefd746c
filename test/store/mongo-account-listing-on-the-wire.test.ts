import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The operators' account list as the mongo store sends it (caught by the wire stub, which
 * checks nothing itself): one conditional update per append, one ranged find per page.
 */
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_listing";
const account = toAccountId(41);
const LINE = { _id: 1, login: 1, status: 1, listing: 1 };

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);

describe("the account listing on the wire", () => {
  it("builds the two partial indexes a page is read off", () => {
    const built = stub.received.filter((r) => r.db === DB && r.name === "createIndexes");
    const specs = built.flatMap((r) => r.command.indexes as object[]);
    const partialFilterExpression = { "listing.seq": { $exists: true } };
    expect(specs).toContainEqual({
      key: { "listing.balance": 1, _id: 1 },
      name: "listing.balance_1__id_1",
      partialFilterExpression,
    });
    expect(specs).toContainEqual({
      key: { "listing.lastActivity": -1, _id: 1 },
      name: "listing.lastActivity_-1__id_1",
      partialFilterExpression,
    });
  });

  it("an append is its insert, then the seq-guarded update of the account's copy", async () => {
    const createdAt = new Date("2026-11-20T10:00:00Z");
    const commands = await sent(() =>
      store.ledger.append(rawEntry(account, 7, { balanceAfter: 12, createdAt })),
    );
    expect(commands.map((r) => [r.name, r.command[r.name]])).toEqual([
      ["insert", "ledger_entries"],
      ["update", "accounts"],
    ]);
    expect(commands[1]!.command.updates).toEqual([
      {
        q: { _id: 41, "listing.seq": { $not: { $gte: 7 } } },
        u: { $set: { listing: { seq: 7, balance: 12, lastActivity: createdAt } } },
      },
    ]);
  });

  it("a copy that cannot be written leaves the append written", async () => {
    stub.answerNext("update", { ok: 0, errmsg: "not primary", code: 10107 });
    const result = await store.ledger.append(rawEntry(account, 8));
    expect(result.ok).toBe(true);
  });

  it("a page is one find: its filter, order, size and the line's fields only", async () => {
    const since = new Date("2026-11-20T10:00:00Z");
    const commands = await sent(async () => {
      await store.accounts.listAccounts({ by: "id", limit: 100 });
      await store.accounts.listAccounts({ by: "id", after: { value: 0, id: account }, limit: 100 });
      await store.accounts.listAccounts({ by: "balance", maxBalance: 10, limit: 50 });
      await store.accounts.listAccounts({
        by: "balance",
        maxBalance: 10,
        after: { value: 3, id: account },
        limit: 50,
      });
      await store.accounts.listAccounts({
        by: "activity",
        after: { value: since.getTime(), id: account },
        limit: 9999,
      });
    });
    expect(commands.map((r) => r.name)).toEqual(["find", "find", "find", "find", "find"]);
    const [first, next, low, lowNext, recent] = commands.map((r) => r.command);
    expect(first).toMatchObject({
      find: "accounts",
      filter: {},
      sort: { _id: 1 },
      limit: 100,
      projection: LINE,
    });
    expect(next).toMatchObject({ filter: { _id: { $gt: 41 } }, sort: { _id: 1 } });
    const hasCopy = { "listing.seq": { $exists: true } };
    expect(low).toMatchObject({
      filter: { ...hasCopy, "listing.balance": { $lte: 10 } },
      sort: { "listing.balance": 1, _id: 1 },
      limit: 50,
      projection: LINE,
    });
    expect(lowNext!.filter).toEqual({
      ...hasCopy,
      "listing.balance": { $lte: 10 },
      $or: [{ "listing.balance": { $gt: 3 } }, { "listing.balance": 3, _id: { $gt: 41 } }],
    });
    expect(recent).toMatchObject({
      filter: {
        ...hasCopy,
        $or: [
          { "listing.lastActivity": { $lt: since } },
          { "listing.lastActivity": since, _id: { $gt: 41 } },
        ],
      },
      sort: { "listing.lastActivity": -1, _id: 1 },
      // The store's bound, whatever was asked.
      limit: 500,
      projection: LINE,
    });
  });
});
