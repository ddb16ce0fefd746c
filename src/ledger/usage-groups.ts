/**
 * The month's charges and refunds grouped by what they are about (LedgerStore.usageGroups):
 * what usage by repository or author and the charged runs of each pull request are counted
 * from, in place of the month's entries. A group is every usage and refund entry with the
 * same reference fields of the grouping (USAGE_GROUP_FIELDS), exactly as stored (no
 * lower-casing, no joining of a renamed repository's names): the readers do that from the
 * groups, as they did from the entries, so the answers are the same. A refund carries its
 * charge's reference (ledger.ts), so it is in its charge's group.
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

/**
 * What entries are grouped by: the pull request reference's fields each reader needs, so
 * there are as many groups as authors, repository names, or pull requests, and no more.
 */
export const USAGE_GROUP_FIELDS = {
  author: ["author"],
  repository: ["repository", "repositoryId"],
  pull_request: ["repository", "repositoryId", "number"],
} as const satisfies Record<string, readonly Exclude<keyof UsageGroupKey, "kind">[]>;
export type UsageGroupBy = keyof typeof USAGE_GROUP_FIELDS;

/** The window of usageGroups: usage and refund entries with from <= createdAt (< to). */
export interface UsageWindow {
  from: Date;
  to?: Date | undefined;
  by: UsageGroupBy;
  /** Count each group's unrefunded charges (runs); only the per-pull-request runs need it. */
  runs?: boolean | undefined;
}

/** The key of a reference, as a group keeps it: its kind and the grouping's fields, as stored. */
export function usageGroupKey(ref: EntryReference | null, by: UsageGroupBy): UsageGroupKey | null {
  if (!ref) return null;
  if (ref.kind !== "pull_request") return { kind: ref.kind };
  const key: UsageGroupKey = { kind: ref.kind };
  for (const field of USAGE_GROUP_FIELDS[by]) {
    // Absent stays absent, as in a MongoDB group key.
    if (ref[field] !== undefined) Object.assign(key, { [field]: ref[field] });
  }
  return key;
}

/**
 * The groups of `rows` (usage and refund entries, oldest first): what a store that cannot
 * group on its own side (the memory store) answers with, and what the mongo store's
 * aggregation computes.
 */
export function groupUsageRows(
  rows: Iterable<Pick<EntryRow, "id" | "seq" | "type" | "amount" | "refundOf" | "reference">>,
  by: UsageGroupBy,
  runs: boolean,
): UsageGroup[] {
  const groups = new Map<string, UsageGroup & { charges: Set<string>; refunded: string[] }>();
  for (const e of rows) {
    if (e.type !== "usage" && e.type !== "refund") continue;
    const reference = usageGroupKey(e.reference, by);
    const key = JSON.stringify(reference && Object.values(reference));
    let g = groups.get(key);
    if (!g) {
      const tally = (): UsageTally => ({ count: 0, amount: 0, lastSeq: 0 });
      g = {
        reference,
        firstSeq: e.seq,
        usage: tally(),
        refund: tally(),
        runs: 0,
        charges: new Set(),
        refunded: [],
      };
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
