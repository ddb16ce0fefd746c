import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import { entryUse } from "../../src/ledger/entry-use.js";
import { emptyMonthUse } from "../../src/ledger/month-use.js";
import { createMongoStore } from "../../src/store/mongo/connect-mongo.js";
import { migrateMongo } from "../../src/store/mongo/migrate-mongo.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import { MongoWireStub, type Received } from "../support/mongo-wire-stub.js";

/**
 * The commands the month-use lookups of constant-size entries send (entry-use.ts), caught by
 * the wire-protocol stub (it answers every read with nothing): each names the account, reads
 * only seq and the month use, at majority where a charge is decided on it, and names the
 * partial index's filter so that the planner may take the index. How a server plans them is
 * read from MongoDB's documentation, not run here.
 */
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_use";
beforeAll(async () => {
  stub = await MongoWireStub.start();
  await migrateMongo(stub.uri(DB), () => {});
  store = await createMongoStore(stub.uri(DB), "app", () => {});
});
afterAll(async () => {
  await store.close();
  await stub.stop();
});

async function sentBy(run: () => Promise<unknown>): Promise<Received[]> {
  const from = stub.received.length;
  await run();
  const chatter = new Set(["ismaster", "isMaster", "hello", "endSessions"]);
  return stub.received.slice(from).filter((r) => r.db === DB && !chatter.has(r.name));
}

const account = toAccountId(7);
const range = { from: 3, to: 40 };
const projection = { _id: 0, seq: 1, monthUse: 1 };
const majority = { level: "majority" };
const constantSize = { "monthUse.from": { $exists: true } };

describe("month-use lookups on the wire", () => {
  it("the newest entry carrying a repository's or an author's counter: one small document", async () => {
    for (const [touch, field, value] of [
      [{ repository: "11" }, "monthUse.repositories.key", "11"],
      [{ author: "bob" }, "monthUse.authors.key", "bob"],
    ] as const) {
      const sent = await sentBy(() => store.ledger.latestTouching(account, range, touch));
      expect(sent).toEqual([
        expect.objectContaining({
          name: "find",
          command: expect.objectContaining({
            find: "ledger_entries",
            filter: { accountId: 7, [field]: value, seq: { $gte: 3, $lte: 40 }, ...constantSize },
            sort: { seq: -1 },
            projection,
            limit: 1,
            readConcern: majority,
          }),
        }),
      ]);
    }
  });

  it("a warning: warned or taken back, one query per index", async () => {
    const sent = await sentBy(() =>
      store.ledger.latestTouching(account, range, { warning: "repository:11" }),
    );
    expect(sent.map((r) => r.command.filter)).toEqual([
      {
        accountId: 7,
        "monthUse.warned": "repository:11",
        seq: { $gte: 3, $lte: 40 },
        ...constantSize,
      },
      {
        accountId: 7,
        seq: { $gte: 3, $lte: 40 },
        "monthUse.unwarned": { $eq: "repository:11", $exists: true },
      },
    ]);
    for (const r of sent) {
      expect(r.command).toMatchObject({
        sort: { seq: -1 },
        projection,
        limit: 1,
        readConcern: majority,
      });
    }
  });

  it("the ids carried under a name, the snapshot at a seq, and the month's uses paged", async () => {
    const named = await sentBy(() => store.ledger.repositoriesNamed(account, range, "acme/api"));
    expect(named).toEqual([
      expect.objectContaining({
        name: "distinct",
        command: expect.objectContaining({
          distinct: "ledger_entries",
          key: "monthUse.repositories.key",
          query: {
            accountId: 7,
            "monthUse.repositories.name": "acme/api",
            seq: { $gte: 3, $lte: 40 },
            ...constantSize,
          },
          readConcern: majority,
        }),
      }),
    ]);
    const at = await sentBy(() => store.ledger.useAt(account, 3));
    expect(at).toEqual([
      expect.objectContaining({
        name: "find",
        command: expect.objectContaining({
          filter: { accountId: 7, seq: 3 },
          projection,
          limit: 1,
          readConcern: majority,
        }),
      }),
    ]);
    const since = await sentBy(async () => {
      for await (const _ of store.ledger.useSince(account, 3)) void _;
    });
    expect(since).toEqual([
      expect.objectContaining({
        name: "find",
        command: expect.objectContaining({
          filter: { accountId: 7, seq: { $gt: 2 } },
          sort: { seq: 1 },
          projection,
          limit: 500,
        }),
      }),
    ]);
  });

  it("whether constant-size entries of a month came before: one small document, by the use_periods index's filter", async () => {
    const sent = await sentBy(() => store.ledger.latestConstantSize(account, "2026-11", 40));
    expect(sent).toEqual([
      expect.objectContaining({
        name: "find",
        command: expect.objectContaining({
          find: "ledger_entries",
          filter: {
            accountId: 7,
            "monthUse.period": "2026-11",
            seq: { $lte: 40 },
            ...constantSize,
          },
          sort: { seq: -1 },
          projection,
          limit: 1,
          readConcern: majority,
        }),
      }),
    ]);
  });

  it("the running net spend: seq and the total of one entry, the newest or the newest before a date", async () => {
    const newest = await sentBy(() => store.ledger.spentAt(account));
    const before = new Date("2026-11-01T00:00:00Z");
    const older = await sentBy(() => store.ledger.spentAt(account, before));
    const spentProjection = { _id: 0, seq: 1, spent: 1 };
    expect([...newest, ...older]).toEqual([
      expect.objectContaining({
        name: "find",
        command: expect.objectContaining({
          filter: { accountId: 7 },
          sort: { seq: -1 },
          projection: spentProjection,
          limit: 1,
        }),
      }),
      expect.objectContaining({
        name: "find",
        command: expect.objectContaining({
          filter: { accountId: 7, createdAt: { $lt: before } },
          sort: { createdAt: -1 },
          projection: spentProjection,
          limit: 1,
        }),
      }),
    ]);
  });

  it("the month's counters for people: the keys off the index, then one counter of the newest entry per key", async () => {
    stub.answerNext("distinct", { values: ["bob", "amy"], ok: 1 });
    stub.answerNext("find", {
      cursor: {
        id: mongoose.mongo.Long.fromNumber(0),
        ns: `${DB}.ledger_entries`,
        firstBatch: [{ seq: 9, monthUse: { authors: [{ key: "bob", credits: 2, runs: 2 }] } }],
      },
      ok: 1,
    });
    let counters: unknown;
    const sent = await sentBy(async () => {
      counters = await store.ledger.latestCounters(account, range, "authors");
    });
    // amy's read found nothing (the stub's catalog answer): a key without a counter is left out.
    expect(counters).toEqual([{ key: "bob", credits: 2, runs: 2 }]);
    const inRange = { accountId: 7, seq: { $gte: 3, $lte: 40 }, ...constantSize };
    expect(sent).toEqual([
      expect.objectContaining({
        name: "distinct",
        command: expect.objectContaining({ key: "monthUse.authors.key", query: inRange }),
      }),
      ...["bob", "amy"].map((key) =>
        expect.objectContaining({
          name: "find",
          command: expect.objectContaining({
            filter: { ...inRange, "monthUse.authors.key": key },
            sort: { seq: -1 },
            projection: { _id: 0, seq: 1, "monthUse.authors": { $elemMatch: { key } } },
            limit: 1,
          }),
        }),
      ),
    ]);
    expect(sent.some((r) => "readConcern" in r.command)).toBe(false);
  });

  it("a constant-size entry goes on the wire as built: the totals, its own counters, where its month starts", async () => {
    const before = { ...emptyMonthUse("2026-11"), charged: 4, account: 4 };
    const after = {
      ...before,
      charged: 5,
      account: 5,
      repositories: [{ key: "11", name: "acme/api", credits: 1, runs: 1 }],
    };
    const monthUse = entryUse(before, after, { from: 3, fromSnapshot: false });
    const sent = await sentBy(() => store.ledger.append(rawEntry(account, 9, { monthUse })));
    expect(sent[0]?.command.documents).toEqual([
      expect.objectContaining({
        monthUse: {
          period: "2026-11",
          charged: 5,
          requestedRefunds: 0,
          account: 5,
          repositories: [{ key: "11", name: "acme/api", credits: 1, runs: 1 }],
          authors: [],
          warned: [],
          from: 3,
          fromSnapshot: false,
        },
      }),
    ]);
  });
});
