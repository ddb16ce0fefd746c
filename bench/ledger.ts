/**
 * The ledger's speed and memory on the in-memory store (no database round
 * trips, so these numbers are the ledger's own cost, an upper bound for MongoDB).
 * Prints numbers; asserts nothing. Targets live here, not in timed tests.
 */
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { entriesToCsv } from "../src/ledger/export-csv.js";
import { Ledger } from "../src/ledger/ledger.js";
import { toAccountId } from "../src/accounts/types.js";
import type { LedgerEntry } from "../src/ledger/types.js";
import { createMemoryStore } from "../src/store/memory/memory-store.js";

const account = toAccountId(1);

async function freshLedger(credits: number): Promise<Ledger> {
  const ledger = new Ledger({ store: createMemoryStore().ledger, freePerMonth: 0 });
  await ledger.grant(account, {
    type: "purchase",
    amount: credits,
    description: "bench",
    idempotencyKey: "grant",
  });
  return ledger;
}

const charge = (ledger: Ledger, i: number) =>
  ledger.charge(account, {
    action: "review",
    description: `Review ${i}`,
    reference: { kind: "pull_request", repository: "acme/api", number: i + 1 },
    idempotencyKey: `review-${i}`,
  });

async function sequentialCharges(n: number): Promise<void> {
  const ledger = await freshLedger(n);
  const start = performance.now();
  for (let i = 0; i < n; i++) await charge(ledger, i);
  const ms = performance.now() - start;
  console.log(
    `sequential charges:      ${n} in ${ms.toFixed(0)} ms = ${((n / ms) * 1000).toFixed(0)}/s`,
  );
}

async function concurrentCharges(n: number, credits: number): Promise<void> {
  const ledger = await freshLedger(credits);
  const start = performance.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => charge(ledger, i)));
  const ms = performance.now() - start;
  const created = results.filter((r) => r.status === "created").length;
  console.log(
    `concurrent charges:      ${n} on one account with ${credits} credits: ${created} charged in ${ms.toFixed(0)} ms`,
  );
}

async function csvExport(rows: number): Promise<void> {
  async function* history(): AsyncGenerator<LedgerEntry> {
    for (let seq = rows; seq >= 1; seq--) {
      yield {
        id: `e${seq}`,
        accountId: account,
        seq,
        type: "usage",
        amount: -1,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: -1 },
        bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: seq },
        balanceAfter: seq,
        freePeriod: "2026-11",
        description: `Review of acme/api#${seq}`,
        reference: { kind: "pull_request", repository: "acme/api", number: seq },
        idempotencyKey: `review-${seq}`,
        refundOf: null,
        uncollected: 0,
        lotsAfter: [],
        lotDeltas: [],
        planExpiresAt: null,
        monthUse: null,
        refundRequest: null,
        createdAt: new Date(),
      };
    }
  }
  globalThis.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes % 64 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      done();
    },
  });
  const start = performance.now();
  await pipeline(entriesToCsv(history()), sink);
  const ms = performance.now() - start;
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(
    `CSV export:              ${rows} rows, ${mb(bytes)} MB in ${ms.toFixed(0)} ms; heap above baseline at most ${mb(peak - baseline)} MB`,
  );
}

/**
 * What month use costs a large organization: charges spread over `repos` repositories and
 * `authors` authors with budgets on all three scopes and a run cap, and the size of the
 * newest entry's month use (what every later entry of the month carries).
 */
async function budgetedCharges(n: number, repos: number, authors: number): Promise<void> {
  const ledger = await freshLedger(n);
  const limits = { account: n, repository: n, author: n, pullRequestRuns: 5, warnAtPercent: 80 };
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await ledger.charge(account, {
      action: "review",
      description: `Review ${i}`,
      reference: {
        kind: "pull_request",
        repository: `acme/repository-${i % repos}`,
        number: i + 1,
        author: `developer-${i % authors}`,
      },
      idempotencyKey: `review-${i}`,
      limits,
    });
  }
  const ms = performance.now() - start;
  const use = await ledger.monthUse(account);
  const kb = (Buffer.byteLength(JSON.stringify(use)) / 1024).toFixed(1);
  console.log(
    `budgeted charges:        ${n} over ${repos} repositories and ${authors} authors in ${ms.toFixed(0)} ms = ${((n / ms) * 1000).toFixed(0)}/s; month use on the newest entry ${kb} KB (JSON)`,
  );
}

export async function benchLedger(): Promise<void> {
  await sequentialCharges(20_000);
  await budgetedCharges(5_000, 200, 300);
  await concurrentCharges(1_000, 10);
  await concurrentCharges(1_000, 1_000);
  await csvExport(200_000);
  await csvExport(1_000_000);
}
