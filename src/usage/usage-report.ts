/**
 * Who spends the credits: one month's reviews, credits charged, refunds and net, grouped by
 * repository or by pull request author, from the ledger's own entries (their pull request
 * references). Computed by streaming the month's usage and refund entries, filtered by the
 * store, so the numbers are the ledger's by construction: the groups' net adds up to what the
 * billing summary calls the month's usage.
 */
import type { AccountId } from "../accounts/types.js";
import type { EntryRow, LedgerStore } from "../ledger/ledger-store.js";
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
 * An entry's group: its author, or its repository. A repository is grouped by GitHub's id,
 * which a rename keeps; an entry from before ids were kept is grouped by its name (`name:`),
 * and joins the id charged under that name this month, if any (see usageReport).
 */
const groupOf = (e: EntryRow, by: UsageGrouping): string => {
  const ref = e.reference;
  if (ref?.kind !== "pull_request") return UNKNOWN;
  if (by === "author") return ref.author ?? UNKNOWN;
  return ref.repositoryId !== undefined ? `id:${ref.repositoryId}` : `name:${ref.repository}`;
};

export async function usageReport(
  store: Pick<LedgerStore, "streamRows">,
  accountId: AccountId,
  month: string,
  by: UsageGrouping,
): Promise<UsageReport> {
  const from = monthStart(month);
  const to = nextPeriodStart(from);
  const groups = new Map<string, UsageRow>();
  /** Each repository id's newest name this month, and the id of every name it was charged under. */
  const newestName = new Map<string, string>();
  const idOfName = new Map<string, string>();
  const total = { reviews: 0, charged: 0, refunds: 0, refunded: 0, net: 0 };
  // Rows: the month use and the lots each entry carries are not what a report counts.
  const entries = store.streamRows(accountId, "asc", { types: ["usage", "refund"], from, to });
  for await (const e of entries) {
    const group = groupOf(e, by);
    if (group.startsWith("id:") && e.reference?.kind === "pull_request") {
      // A refund names the repository as its charge did, not as it is called now.
      if (e.type === "usage") newestName.set(group, e.reference.repository);
      idOfName.set(e.reference.repository.toLowerCase(), group);
    }
    let row = groups.get(group);
    if (!row) {
      row = { key: group, reviews: 0, charged: 0, refunds: 0, refunded: 0, net: 0 };
      groups.set(group, row);
    }
    for (const r of [row, total]) {
      if (e.type === "usage") {
        r.reviews += 1;
        r.charged += -e.amount;
      } else {
        r.refunds += 1;
        r.refunded += e.amount;
      }
      r.net = r.charged - r.refunded;
    }
  }
  // Rows by the name people know: a repository's newest, with its older names' rows in it.
  const rows = new Map<string, UsageRow>();
  for (const [group, row] of groups) {
    let key = group;
    if (group.startsWith("name:")) {
      const name = group.slice("name:".length);
      const id = idOfName.get(name.toLowerCase());
      key = id ? (newestName.get(id) ?? name) : name;
    } else if (group.startsWith("id:")) {
      key = newestName.get(group) ?? group;
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
