import { afterAll, describe, expect, it } from "@jest/globals";
import mongoose, { type QueryFilter, type QueryOptions } from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import type { EntryFilter } from "../../src/ledger/ledger-store.js";
import {
  ledgerEntryModel,
  type LedgerEntryDoc,
  type LedgerEntryModel,
} from "../../src/store/mongo/models/ledger-entry.js";
import { MongoLedgerStore, STREAM_BATCH } from "../../src/store/mongo/mongo-ledger-store.js";
import { rawEntry } from "../support/entries.js";

/**
 * The mongo store's stream() without a MongoDB (the contract suites run it against a real one
 * when there is one). Each query the store builds goes into a real mongoose Query, which is
 * sanitized and cast the way find() does before it reaches the driver, and is then answered
 * from an array. So this checks what every query asks for, that it survives sanitizeFilter,
 * and when the stream stops; not how MongoDB plans or runs it.
 */
const conn = mongoose.createConnection(); // never connected: queries are built, never sent
const real = ledgerEntryModel(conn);
afterAll(() => conn.close());

interface Sent {
  filter: QueryFilter<LedgerEntryDoc>;
  options: QueryOptions<LedgerEntryDoc>;
}

type Bounds = { $lt?: number; $gt?: number; $gte?: Date; $in?: string[] };

function recordingModel(docs: LedgerEntryDoc[]): { model: LedgerEntryModel; sent: Sent[] } {
  const sent: Sent[] = [];
  const model = {
    find(filter: QueryFilter<LedgerEntryDoc>) {
      const query = real.find(filter);
      const chain = {
        sort: (s: Record<string, 1 | -1>) => (query.sort(s), chain),
        limit: (n: number) => (query.limit(n), chain),
        batchSize: (n: number) => (query.batchSize(n), chain),
        lean: async () => {
          query.lean();
          // What find() does first on a connection with sanitizeFilter on (mongo-connection.ts):
          // an operator object not marked trusted() becomes an $eq, and then fails the cast.
          mongoose.sanitizeFilter<LedgerEntryDoc>(query.getFilter());
          query.cast();
          const cast = { filter: query.getFilter(), options: query.getOptions() };
          sent.push(cast);
          return answer(docs, cast);
        },
      };
      return chain;
    },
  };
  return { model: model as unknown as LedgerEntryModel, sent };
}

/** What MongoDB would return for the filters the store uses. */
function answer(docs: LedgerEntryDoc[], { filter, options }: Sent): LedgerEntryDoc[] {
  const seq = filter.seq as Bounds | undefined;
  const type = filter.type as Bounds | undefined;
  const createdAt = filter.createdAt as { $gte?: Date; $lt?: Date } | undefined;
  const direction = (options.sort as { seq: 1 | -1 }).seq;
  return docs
    .filter(
      (d) =>
        d.accountId === filter.accountId &&
        (seq?.$lt === undefined || d.seq < seq.$lt) &&
        (seq?.$gt === undefined || d.seq > seq.$gt) &&
        (type?.$in === undefined || type.$in.includes(d.type)) &&
        (createdAt?.$gte === undefined || d.createdAt >= createdAt.$gte) &&
        (createdAt?.$lt === undefined || d.createdAt < createdAt.$lt),
    )
    .sort((a, b) => direction * (a.seq - b.seq))
    .slice(0, options.limit);
}

const account = toAccountId(7);
// The store marks its operator objects so that sanitizeFilter leaves them be; toEqual sees it.
const { trusted } = mongoose;
const history = (n: number, type = (_seq: number) => "bonus" as LedgerEntryDoc["type"]) =>
  Array.from({ length: n }, (_, i) => ({
    ...rawEntry(account, i + 1, { type: type(i + 1) }),
    _id: new mongoose.Types.ObjectId(),
  }));

const collect = async (store: MongoLedgerStore, order: "asc" | "desc", filter?: EntryFilter) => {
  const seqs: number[] = [];
  for await (const e of store.stream(account, order, filter)) seqs.push(e.seq);
  return seqs;
};

describe("mongo ledger store: stream", () => {
  it("reads in batches by seq, each query after the last seq seen, until a short batch", async () => {
    const { model, sent } = recordingModel(history(2 * STREAM_BATCH + 1));
    const seqs = await collect(new MongoLedgerStore(model), "asc");
    expect(seqs).toEqual(Array.from({ length: 2 * STREAM_BATCH + 1 }, (_, i) => i + 1));
    expect(sent.map((q) => q.filter)).toEqual([
      { accountId: account },
      { accountId: account, seq: trusted({ $gt: STREAM_BATCH }) },
      { accountId: account, seq: trusted({ $gt: 2 * STREAM_BATCH }) },
    ]);
    for (const q of sent) {
      expect(q.options).toMatchObject({
        sort: { seq: 1 },
        limit: STREAM_BATCH,
        batchSize: STREAM_BATCH,
      });
    }
  });

  it("newest first: seq below the last one; a full last batch costs one empty query", async () => {
    const { model, sent } = recordingModel(history(2 * STREAM_BATCH));
    const seqs = await collect(new MongoLedgerStore(model), "desc");
    expect(seqs).toEqual(Array.from({ length: 2 * STREAM_BATCH }, (_, i) => 2 * STREAM_BATCH - i));
    expect(sent.map((q) => [q.filter.seq, q.options.sort])).toEqual([
      [undefined, { seq: -1 }],
      [trusted({ $lt: STREAM_BATCH + 1 }), { seq: -1 }],
      [trusted({ $lt: 1 }), { seq: -1 }],
    ]);
  });

  it("sends the type and date filter with every batch, as values MongoDB compares", async () => {
    const docs = history(3 * STREAM_BATCH, (seq) => (seq % 2 ? "usage" : "refund"));
    const { model, sent } = recordingModel(docs);
    const from = new Date(Date.UTC(2026, 10, 2));
    const to = new Date(Date.UTC(2026, 10, 1400));
    const seqs = await collect(new MongoLedgerStore(model), "desc", { types: ["usage"], from, to });
    expect(seqs).toEqual(
      docs
        .filter((d) => d.seq % 2 && d.seq >= 2 && d.seq < 1400)
        .map((d) => d.seq)
        .reverse(),
    );
    expect(sent).toHaveLength(2);
    // Still operators after sanitizeFilter (not wrapped in $eq), and cast to stored types.
    const filter = {
      accountId: account,
      type: trusted({ $in: ["usage"] }),
      createdAt: trusted({ $gte: from, $lt: to }),
    };
    expect(sent.map((q) => q.filter)).toEqual([
      filter,
      { ...filter, seq: trusted({ $lt: seqs[STREAM_BATCH - 1] }) },
    ]);
  });

  it("asks for nothing more once the reader stops", async () => {
    const { model, sent } = recordingModel(history(3 * STREAM_BATCH));
    for await (const e of new MongoLedgerStore(model).stream(account, "asc")) {
      expect(e.seq).toBe(1);
      break;
    }
    expect(sent).toHaveLength(1);
  });
});
