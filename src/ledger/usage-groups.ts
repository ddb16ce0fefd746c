/**
 * The month's charges and refunds grouped by what they are about (LedgerStore.usageGroups):
 * what usage by repository or author and the charged runs of each pull request are counted
 * from, in place of the month's entries. A group is every usage and refund entry with the
 * same reference fields, exactly as stored (no lower-casing, no joining of a renamed
 * repository's names): the readers do that from the groups, as they did from the entries, so
 * the answers are the same. A refund carries its charge's reference (ledger.ts), so it is
 * in its charge's group.
 */
import type { EntryRow } from "./ledger-store.js";
import type { EntryReference } from "./types.js";

/** The reference fields a group is keyed by; null for entries without a reference. */
export interface UsageGroupKey {
  kind: EntryReference["kind"];
  repository?: string | undefined;
  repositoryId?: number | undefined;
  author?: string | undefined;
  number?: number | undefined;
}

export interface UsageTally {
  /** How many entries of the type. */
  count: number;
  /** Their amounts added up (negative for charges). */
  amount: number;
  /** The newest of them (highest seq); 0 when there is none. */
  lastSeq: number;
}

export interface UsageGroup {
  reference: UsageGroupKey | null;
  /** The group's oldest entry: the readers list groups in the order their entries began. */
  firstSeq: number;
  usage: UsageTally;
  refund: UsageTally;
  /**
   * The group's charges that no refund of the group gives back (month-use.ts, pullRunsFrom),
   * when asked for; 0 otherwise.
   */
  runs: number;
}

/** The window of usageGroups: usage and refund entries with from <= createdAt (< to). */
export interface UsageWindow {
  from: Date;
  to?: Date | undefined;
  /** Count each group's unrefunded charges (runs); only the per-pull-request runs need it. */
  runs?: boolean | undefined;
}

/** The key of a reference, as a group keeps it: its kind and the four fields, as stored. */
export function usageGroupKey(ref: EntryReference | null): UsageGroupKey | null {
  if (!ref) return null;
  if (ref.kind !== "pull_request") return { kind: ref.kind };
  return {
    kind: ref.kind,
    repository: ref.repository,
    repositoryId: ref.repositoryId,
    author: ref.author,
    number: ref.number,
  };
}

/**
 * The groups of `rows` (usage and refund entries, oldest first): what a store that cannot
 * group on its own side (the memory store) answers with, and what the mongo store's
 * aggregation computes.
 */
export function groupUsageRows(
  rows: Iterable<Pick<EntryRow, "id" | "seq" | "type" | "amount" | "refundOf" | "reference">>,
  runs: boolean,
): UsageGroup[] {
  const groups = new Map<string, UsageGroup & { charges: Set<string>; refunded: string[] }>();
  for (const e of rows) {
    if (e.type !== "usage" && e.type !== "refund") continue;
    const reference = usageGroupKey(e.reference);
    const key = JSON.stringify(reference && Object.values(reference));
    let g = groups.get(key);
    if (!g) {
      const tally = (): UsageTally => ({ count: 0, amount: 0, lastSeq: 0 });
      g = { reference, firstSeq: e.seq, usage: tally(), refund: tally(), runs: 0, charges: new Set(), refunded: [] };
      groups.set(key, g);
    }
    const t = e.type === "usage" ? g.usage : g.refund;
    t.count += 1;
    t.amount += e.amount;
    t.lastSeq = Math.max(t.lastSeq, e.seq);
    g.firstSeq = Math.min(g.firstSeq, e.seq);
    if (e.type === "usage") g.charges.add(e.id);
    else if (e.refundOf !== null) g.refunded.push(e.refundOf);
  }
  return [...groups.values()].map(({ charges, refunded, ...g }) => ({
    ...g,
    runs: runs ? charges.size - new Set(refunded.filter((id) => charges.has(id))).size : 0,
  }));
}
