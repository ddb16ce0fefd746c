/**
 * What one ledger append costs through the mongoose model, for an account whose month has
 * charged 1,000 repositories and 5,000 authors (every one of their budgets warned), against
 * one whose month has charged nothing: the BSON size of the entry the store would insert, and
 * the CPU of building, validating and serializing it (what insertOne does before the wire).
 * No server: the model sits on a connection that never connects. Prints; asserts nothing.
 * Targets (issue 19): entry <= 2 KiB whatever the month holds; append cost ratio <= 1.5.
 */
import mongoose from "mongoose";
import { Ledger } from "../src/ledger/ledger.js";
import type { LedgerStore, NewEntry, UseRecord } from "../src/ledger/ledger-store.js";
import type { LedgerEntry } from "../src/ledger/types.js";
import type { UseCounter } from "../src/ledger/month-use.js";
import { toAccountId } from "../src/accounts/types.js";
import { createMemoryStore } from "../src/store/memory/memory-store.js";
import { ledgerEntryModel } from "../src/store/mongo/models/ledger-entry.js";
import { ROW_PROJECTION } from "../src/store/mongo/mongo-ledger-store.js";
import { runwayOf } from "../src/usage/runway.js";
import { usageReport } from "../src/usage/usage-report.js";
import type { UsageGroup } from "../src/ledger/usage-groups.js";

const { BSON } = mongoose.mongo;
const account = toAccountId(1);
const conn = mongoose.createConnection(); // never connected: documents are built, never sent
const Entry = ledgerEntryModel(conn);

/**
 * The entry the next charge would insert, after `charges` charges spread over `repos`
 * repositories and `authors` authors this month, each with budgets that warn at once.
 */
async function nextEntry(
  charges: number,
  repos: number,
  authors: number,
): Promise<{ entry: NewEntry; store: LedgerStore }> {
  const store = createMemoryStore().ledger;
  const ledger = new Ledger({
    store,
    freePerMonth: 0,
    now: () => new Date("2026-11-20T12:00:00Z"),
  });
  await ledger.grant(account, {
    type: "purchase",
    amount: charges + 1,
    description: "bench",
    idempotencyKey: "grant",
  });
  const limits = { account: 10 * charges, repository: 1, author: 1, warnAtPercent: 1 };
  const charge = (i: number) =>
    ledger.charge(account, {
      action: "review",
      description: `Review ${i}`,
      reference: {
        kind: "pull_request",
        repository: `acme/repository-${i % repos}`,
        repositoryId: 100_000 + (i % repos),
        number: i + 1,
        author: `developer-${i % authors}`,
        url: `https://github.com/acme/repository-${i % repos}/pull/${i + 1}`,
        headSha: "a".repeat(40),
      },
      idempotencyKey: `review-${i}`,
      limits: { ...limits, enforce: false },
    });
  for (let i = 0; i < charges; i++) await charge(i);
  let captured: NewEntry | null = null;
  const append = store.append.bind(store);
  store.append = async (entry) => {
    captured = entry;
    return append(entry);
  };
  await charge(charges);
  if (!captured) throw new Error("bench: the charge wrote nothing");
  return { entry: captured, store };
}

/** Build the mongoose document, validate it, and serialize what insertOne would send. */
async function insertCost(entry: NewEntry): Promise<{ bytes: number; ms: number }> {
  const start = performance.now();
  const doc = new Entry(entry);
  await doc.validate();
  const bytes = BSON.serialize(doc.toBSON() as Record<string, unknown>).length;
  return { bytes, ms: performance.now() - start };
}

async function medianCost(entry: NewEntry, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await insertCost(entry)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function benchLedgerEntry(): Promise<void> {
  const none = (await nextEntry(0, 1, 1)).entry;
  const month = await nextEntry(5_000, 1_000, 5_000);
  const large = month.entry;
  const size = (e: NewEntry) =>
    BSON.calculateObjectSize(new Entry(e).toBSON() as Record<string, unknown>);
  // Warm up both paths, then interleave, so neither profits from a warmer JIT.
  await medianCost(none, 20);
  await medianCost(large, 5);
  const runs = 41;
  const base = await medianCost(none, runs);
  const big = await medianCost(large, runs);
  console.log(`ledger entry bytes (none): ${size(none)}`);
  console.log(`ledger entry bytes (1000 repos, 5000 authors): ${size(large)}`);
  console.log(
    `append cost (none): ${base.toFixed(3)} ms; (1000 repos, 5000 authors): ${big.toFixed(3)} ms`,
  );
  console.log(`append cost ratio (1000 repos, 5000 authors / none): ${(big / base).toFixed(2)}`);
  await readBytes(month.store);
  await conn.close();
}

/** An entry as the mongo store would hold it: the model's document, in BSON's terms. */
const stored = (e: LedgerEntry): Record<string, unknown> =>
  new Entry(e).toBSON() as Record<string, unknown>;

/**
 * What ROW_PROJECTION returns of a stored entry, applied here as the server would (no server
 * runs here: the $filter of lotsAfter is evaluated by hand, keeping the lot whose id is seq).
 */
function projected(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { _id: doc._id };
  for (const [field, how] of Object.entries(ROW_PROJECTION)) {
    if (how === 1) {
      if (field in doc) out[field] = doc[field];
    } else {
      const lots = doc.lotsAfter as { lot: number }[] | undefined;
      out.lotsAfter = Array.isArray(lots) ? lots.filter((l) => l.lot === doc.seq) : null;
    }
  }
  return out;
}

/**
 * What the mongo store sends back for each read the billing summary makes, sized as BSON: a
 * whole entry for latest(), seq and the running total for spentAt() (its projection), and the
 * matching entries whole for sumAmounts() (its $group needs only `amount`, but no index holds
 * it, so the server reads each document). Any other read is counted as the entries it returns.
 */
function measuring(store: LedgerStore): { store: LedgerStore; bytes: () => number } {
  let bytes = 0;
  const size = (doc: Record<string, unknown>) => BSON.calculateObjectSize(doc);
  const counted: LedgerStore = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "useSince") {
        // An async iterable of seq and month use: sized as it is read.
        return async function* (...args: unknown[]) {
          const records = (value as (...a: unknown[]) => AsyncIterable<UseRecord>).apply(
            target,
            args,
          );
          for await (const r of records) {
            bytes += size(r as unknown as Record<string, unknown>);
            yield r;
          }
        };
      }
      return async (...args: unknown[]) => {
        const result: unknown = await (value as (...a: unknown[]) => unknown).apply(target, args);
        if (property === "sumAmounts") {
          const [id, types, from] = args as [typeof account, LedgerEntry["type"][], Date];
          for await (const e of target.stream(id, "asc", { types, from })) bytes += size(stored(e));
        } else if (property === "latestCounters") {
          // The distinct keys, then per key seq and that one counter ($elemMatch).
          const [, , kind] = args as [unknown, unknown, "repositories" | "authors"];
          const counters = result as UseCounter[];
          bytes += size({ values: counters.map((c) => c.key) });
          for (const c of counters) bytes += size({ seq: 1, monthUse: { [kind]: [c] } });
        } else if (property === "usageGroups") {
          // One document per group, as the aggregation answers (mongo-ledger-store.ts).
          for (const g of result as UsageGroup[]) {
            bytes += size({
              _id: g.reference ?? {},
              firstSeq: g.firstSeq,
              usageCount: g.usage.count,
              usageAmount: g.usage.amount,
              usageLastSeq: g.usage.lastSeq,
              refundCount: g.refund.count,
              refundAmount: g.refund.amount,
              refundLastSeq: g.refund.lastSeq,
            });
          }
        } else if (property === "spentAt") {
          if (result) bytes += size(result as Record<string, unknown>);
        } else if (result && typeof result === "object" && "seq" in result) {
          bytes += size(stored(result as LedgerEntry));
        }
        return result;
      };
    },
  });
  return { store: counted, bytes: () => bytes };
}

/**
 * The bytes a billing summary and a history page read for the month above (5,000 charges
 * over 1,000 repositories and 5,000 authors). A summary: what GET /billing reads without
 * repository or author budgets (the ledger's summary, the month's totals and the runway),
 * through the store's own calls, sized as above. A page of 25 rows: listRows' 26 (one more
 * tells whether a next page exists), as ROW_PROJECTION returns them.
 */
async function readBytes(store: LedgerStore): Promise<void> {
  const size = (doc: Record<string, unknown>) => BSON.calculateObjectSize(doc);
  const now = new Date("2026-11-20T12:00:00Z");
  const counted = measuring(store);
  const ledger = new Ledger({ store: counted.store, freePerMonth: 0, now: () => now });
  const s = await ledger.summary(account);
  await ledger.monthTotals(account);
  await runwayOf(counted.store, account, s.balance, now);
  const summary = counted.bytes();
  const budgets = measuring(store);
  await new Ledger({ store: budgets.store, freePerMonth: 0, now: () => now }).monthCounters(
    account,
    { repositories: true, authors: true },
  );
  const whole = measuring(store);
  await new Ledger({ store: whole.store, freePerMonth: 0, now: () => now }).monthUse(account);
  const rows = await store.list(account, { limit: 26 });
  const page = rows.reduce((sum, e) => sum + size(projected(stored(e))), 0);
  const wholeRows = rows.reduce((sum, e) => sum + size(stored(e)), 0);
  const usage = measuring(store);
  await usageReport(usage.store, account, "2026-11", "author");
  // Before: the month's charges and refunds streamed as rows (ROW_PROJECTION), one by one.
  let streamed = 0;
  const month = { types: ["usage", "refund"] as const, from: new Date("2026-11-01T00:00:00Z") };
  for await (const e of store.stream(account, "asc", month)) streamed += size(projected(stored(e)));
  console.log(`billing summary reads: ${summary} bytes`);
  console.log(
    "  (the newest entry whole, read three times, and seq with the running net spend of at most" +
      " three entries: nothing here grows with the month)",
  );
  console.log(`history page (25 rows) reads: ${page} bytes`);
  console.log(`  (26 rows as projected; the same entries whole: ${wholeRows} bytes)`);
  console.log(`budgets page (every repository and author counter) reads: ${budgets.bytes()} bytes`);
  console.log(
    `  (one counter per key, 6000 keys; the month's uses read entry by entry: ${whole.bytes()} bytes)`,
  );
  console.log(`usage by author reads: ${usage.bytes()} bytes`);
  console.log(
    `  (one group per author, 5000 authors; the month's rows streamed, as before: ${streamed} bytes)`,
  );
}
