/**
 * Who spends the credits: one month's reviews, credits charged, refunds and net, grouped by
 * repository or by pull request author, from the ledger's own entries (their pull request
 * references). Computed from the month's usage and refund entries grouped by the store
 * (LedgerStore.usageGroups: one row per reference, not the month's entries), so the numbers
 * are the ledger's by construction: the groups' net adds up to what the billing summary
 * calls the month's usage.
 */
import type { AccountId } from "../accounts/types.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import type { UsageGroupKey } from "../ledger/usage-groups.js";
import { nextPeriodStart, periodStart } from "../ledger/periods.js";

export const USAGE_GROUPINGS = ["repository", "author"] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

/** The group of entries whose pull request (or its author) is not known. */
export const UNKNOWN = "unknown";

export interface UsageRow {
  /** The repository ("owner/name") or the author's login; "unknown" when not recorded. */
  key: string;
  /** Usage entries (charged reviews) this month. */
  reviews: number;
  /** Credits those charges took. */
  charged: number;
  /** Refunds given this month, whatever month their charge was in. */
  refunds: number;
  /** Credits those refunds gave back. */
  refunded: number;
  /** charged - refunded. */
  net: number;
}

export interface UsageReport {
  month: string;
  by: UsageGrouping;
  rows: UsageRow[];
  total: Omit<UsageRow, "key">;
}

/** "2026-11" for a date in November 2026 (UTC). */
export const monthOf = (d: Date): string => d.toISOString().slice(0, 7);

/** The first instant of "YYYY-MM" (UTC). */
export const monthStart = (month: string): Date => new Date(`${month}-01T00:00:00.000Z`);

/** The month before the one `d` is in. */
export const previousMonth = (d: Date): string => monthOf(new Date(periodStart(d).getTime() - 1));

/**
 * A group's row key: its author, or its repository. A repository is grouped by GitHub's id,
 * which a rename keeps; an entry from before ids were kept is grouped by its name (`name:`),
 * and joins the id charged under that name this month, if any (see usageReport).
 */
const groupOf = (ref: UsageGroupKey | null, by: UsageGrouping): string => {
  if (ref?.kind !== "pull_request") return UNKNOWN;
  if (by === "author") return ref.author ?? UNKNOWN;
  return ref.repositoryId !== undefined ? `id:${ref.repositoryId}` : `name:${ref.repository}`;
};

export async function usageReport(
  store: Pick<LedgerStore, "usageGroups">,
  accountId: AccountId,
  month: string,
  by: UsageGrouping,
): Promise<UsageReport> {
  const from = monthStart(month);
  const to = nextPeriodStart(from);
  // The month's charges and refunds grouped by the store (one row per reference, not per
  // entry), in the order their first entries came: rows come out in the same order as when
  // the entries were read one by one.
  const found = (await store.usageGroups(accountId, { from, to, by })).sort(
    (a, b) => a.firstSeq - b.firstSeq,
  );
  const groups = new Map<string, UsageRow>();
  /**
   * Each repository id's newest name this month (its newest charge's), and the id of every
   * name it was charged or refunded under (the newest such entry's), with the seq that says so.
   */
  const newestName = new Map<string, { name: string; seq: number }>();
  const idOfName = new Map<string, { id: string; seq: number }>();
  const total = { reviews: 0, charged: 0, refunds: 0, refunded: 0, net: 0 };
  for (const g of found) {
    const group = groupOf(g.reference, by);
    const name = g.reference?.repository;
    if (group.startsWith("id:") && name !== undefined) {
      // A refund names the repository as its charge did, not as it is called now.
      const named = newestName.get(group);
      if (g.usage.count > 0 && (!named || g.usage.lastSeq > named.seq)) {
        newestName.set(group, { name, seq: g.usage.lastSeq });
      }
      const seq = Math.max(g.usage.lastSeq, g.refund.lastSeq);
      const held = idOfName.get(name.toLowerCase());
      if (!held || seq > held.seq) idOfName.set(name.toLowerCase(), { id: group, seq });
    }
    let row = groups.get(group);
    if (!row) {
      row = { key: group, reviews: 0, charged: 0, refunds: 0, refunded: 0, net: 0 };
      groups.set(group, row);
    }
    for (const r of [row, total]) {
      r.reviews += g.usage.count;
      r.charged += -g.usage.amount;
      r.refunds += g.refund.count;
      r.refunded += g.refund.amount;
      r.net = r.charged - r.refunded;
    }
  }
  // Rows by the name people know: a repository's newest, with its older names' rows in it.
  const rows = new Map<string, UsageRow>();
  for (const [group, row] of groups) {
    let key = group;
    if (group.startsWith("name:")) {
      const name = group.slice("name:".length);
      const id = idOfName.get(name.toLowerCase())?.id;
      key = id ? (newestName.get(id)?.name ?? name) : name;
    } else if (group.startsWith("id:")) {
      key = newestName.get(group)?.name ?? group;
    }
    const into = rows.get(key);
    if (!into) rows.set(key, { ...row, key });
    else for (const c of COUNTS) into[c] += row[c];
  }
  return { month, by, rows: [...rows.values()], total };
}

const COUNTS = ["reviews", "charged", "refunds", "refunded", "net"] as const;

export const USAGE_SORTS = ["net", "charged", "reviews", "refunds", "refunded", "key"] as const;
export type UsageSort = (typeof USAGE_SORTS)[number];

/** Rows by a column, biggest first (or A-Z for `key`); ties by key, so the order is stable. */
export function sortUsage(rows: readonly UsageRow[], sort: UsageSort, order: "asc" | "desc") {
  const byKey = (a: UsageRow, b: UsageRow) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const sign = order === "asc" ? 1 : -1;
  return [...rows].sort((a, b) =>
    sort === "key" ? sign * byKey(a, b) : sign * (a[sort] - b[sort]) || byKey(a, b),
  );
}
