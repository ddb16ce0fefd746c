import { describe, expect, it, jest } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { EntryRow } from "../../src/ledger/ledger-store.js";
import { pullRunsByPullRequest } from "../../src/ledger/month-use.js";
import type { EntryReference } from "../../src/ledger/types.js";
import { MemoryLedgerStore } from "../../src/store/memory/memory-ledger-store.js";
import { UNKNOWN, usageReport, type UsageRow } from "../../src/usage/usage-report.js";
import { rawEntry } from "../support/entries.js";

const id = toAccountId(77);
const NOV = (minute: number) => new Date(Date.UTC(2026, 10, 3, 0, minute));

type Pull = Extract<EntryReference, { kind: "pull_request" }>;

/**
 * A month of many charges per author and per pull request: four authors, three
 * repositories (one renamed mid-month, one charged by name before ids were kept), refunds of
 * this month's charges and of last month's, and a charge with no pull request.
 */
async function seed(): Promise<{ store: MemoryLedgerStore; entries: EntryRow[] }> {
  const store = new MemoryLedgerStore();
  let seq = 0;
  const append = async (over: Parameters<typeof rawEntry>[2]) => {
    seq += 1;
    const result = await store.append(rawEntry(id, seq, { idempotencyKey: `k${seq}`, ...over }));
    if (!result.ok) throw new Error(`append ${seq}: ${result.conflict}`);
    return result.entry;
  };
  const charge = (reference: Pull | null, at: Date) =>
    append({ type: "usage", amount: -1, reference, createdAt: at });
  const refund = (of: { id: string; reference: EntryReference | null }, at: Date) =>
    append({ type: "refund", amount: 1, reference: of.reference, refundOf: of.id, createdAt: at });
  const pr = (repository: string, repositoryId: number | undefined, author: string, n: number) =>
    ({ kind: "pull_request", repository, repositoryId, number: n, author }) as Pull;
  // Last month: a charge refunded this month (counted as this month's refund, no run back).
  const october = await charge(pr("acme/api", 1, "alice", 1), new Date(Date.UTC(2026, 9, 30)));
  await refund(october, NOV(0));
  const authors = ["alice", "bob", "carol", "dave"];
  for (let i = 0; i < 400; i += 1) {
    const author = authors[i % 4]!;
    // acme/web is renamed acme/site at i = 200 (same id); acme/old is charged by name only.
    const ref =
      i % 3 === 0
        ? pr("acme/api", 1, author, 1 + (i % 5))
        : i % 3 === 1
          ? pr(i < 200 ? "acme/web" : "acme/site", 2, author, 10 + (i % 7))
          : pr("Acme/Old", undefined, author, 20 + (i % 2));
    const c = await charge(ref, NOV(i + 1));
    if (i % 9 === 0) await refund(c, NOV(i + 1));
  }
  await charge(null, NOV(500));
  const entries: EntryRow[] = [];
  for await (const e of store.streamRows(id, "asc")) entries.push(e);
  return { store, entries };
}

/** The report as it was counted from the month's entries one by one (the oracle). */
function countedOneByOne(entries: EntryRow[], by: "author" | "repository"): UsageRow[] {
  const month = entries.filter(
    (e) => (e.type === "usage" || e.type === "refund") && e.createdAt >= NOV(0),
  );
  const rows = new Map<string, UsageRow>();
  const newest = new Map<number, string>();
  for (const e of month) {
    if (e.type === "usage" && e.reference?.kind === "pull_request" && e.reference.repositoryId) {
      newest.set(e.reference.repositoryId, e.reference.repository);
    }
  }
  for (const e of month) {
    const ref = e.reference?.kind === "pull_request" ? e.reference : null;
    const key = !ref
      ? UNKNOWN
      : by === "author"
        ? (ref.author ?? UNKNOWN)
        : ref.repositoryId
          ? newest.get(ref.repositoryId)!
          : ref.repository;
    const row = rows.get(key) ?? { key, reviews: 0, charged: 0, refunds: 0, refunded: 0, net: 0 };
    if (e.type === "usage") {
      row.reviews += 1;
      row.charged -= e.amount;
    } else {
      row.refunds += 1;
      row.refunded += e.amount;
    }
    row.net = row.charged - row.refunded;
    rows.set(key, row);
  }
  return [...rows.values()];
}

describe("usage from grouped entries", () => {
  it("gives the same report, by author and by repository, as counting the entries one by one", async () => {
    const { store, entries } = await seed();
    const stream = jest.spyOn(store, "streamRows");
    for (const by of ["author", "repository"] as const) {
      const report = await usageReport(store, id, "2026-11", by);
      // Row for row, in the same order (that of each row's first entry).
      expect(report.rows).toEqual(countedOneByOne(entries, by));
      expect(report.total).toMatchObject({ reviews: 401, refunds: 46 });
    }
    // Nothing read entry by entry, and what the store handed back is a row per reference.
    expect(stream).not.toHaveBeenCalled();
    const groups = await store.usageGroups(id, { from: NOV(0), by: "author" });
    expect(entries.length).toBeGreaterThan(440);
    // One per author, and the charge without a pull request.
    expect(groups).toHaveLength(5);
    // The renamed repository is one row, under its newest name; the name-only one its own.
    const byRepo = await usageReport(store, id, "2026-11", "repository");
    expect(byRepo.rows.map((r) => r.key).sort()).toEqual([
      "Acme/Old",
      "acme/api",
      "acme/site",
      "unknown",
    ]);
  });

  it("counts each pull request's runs as the entries do: a refund of this month's charge gives one back", async () => {
    const { store, entries } = await seed();
    const runs = pullRunsByPullRequest(
      await store.usageGroups(id, { from: NOV(0), by: "pull_request", runs: true }),
    );
    // The oracle: per pull request (newest name), this month's charges less their refunds.
    const month = entries.filter((e) => e.createdAt >= NOV(0));
    const charges = new Map(month.filter((e) => e.type === "usage").map((e) => [e.id, e]));
    const expected = new Map<string, number>();
    const keyOf = (e: EntryRow) => {
      const ref = e.reference as Pull;
      const name = ref.repositoryId === 2 ? "acme/site" : ref.repository.toLowerCase();
      return `${name}#${ref.number}`;
    };
    for (const e of charges.values()) {
      if (e.reference) expected.set(keyOf(e), (expected.get(keyOf(e)) ?? 0) + 1);
    }
    for (const e of month) {
      const charge = e.type === "refund" && e.refundOf ? charges.get(e.refundOf) : undefined;
      if (charge) expected.set(keyOf(charge), expected.get(keyOf(charge))! - 1);
    }
    expect(new Map(runs.map((c) => [c.key, c.runs]))).toEqual(
      new Map([...expected].filter(([, n]) => n > 0)),
    );
    // The October charge's refund gives acme/api#1 nothing back.
    expect(runs.find((c) => c.key === "acme/api#1")?.runs).toBe(expected.get("acme/api#1"));
  });
});
