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
import type { NewEntry } from "../src/ledger/ledger-store.js";
import { toAccountId } from "../src/accounts/types.js";
import { createMemoryStore } from "../src/store/memory/memory-store.js";
import { ledgerEntryModel } from "../src/store/mongo/models/ledger-entry.js";

const { BSON } = mongoose.mongo;
const account = toAccountId(1);
const conn = mongoose.createConnection(); // never connected: documents are built, never sent
const Entry = ledgerEntryModel(conn);

/**
 * The entry the next charge would insert, after `charges` charges spread over `repos`
 * repositories and `authors` authors this month, each with budgets that warn at once.
 */
async function nextEntry(charges: number, repos: number, authors: number): Promise<NewEntry> {
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
  return captured;
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
  const none = await nextEntry(0, 1, 1);
  const large = await nextEntry(5_000, 1_000, 5_000);
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
  await conn.close();
}
