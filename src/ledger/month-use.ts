/**
 * The month's use, carried on every entry like the bonus lots: what this calendar month's
 * charges took, in total, per repository and per pull request author, net of refunds of those
 * charges; and what `/jasper refund` gave back this month. Budgets
 * (src/budgets) and the requested-refund cap are checked against it, and since the next
 * entry's use follows from the newest entry's alone, a charge checks its budgets and the
 * balance from one entry and writes one insert: the (account, seq) index that stops two
 * writers spending the same credit also stops them spending the same budget.
 *
 * Counters exist only for keys with a non-zero count, so an entry holds one per repository and
 * author charged this month: bounded by the organization's size, not by how much it reviews
 * (docs/billing.md, "Budgets"). Runs per pull request are not carried (an organization opens
 * thousands of pull requests a month): the charge counts them from the pull request's own
 * entries this month (pullRunsFrom), read after the newest entry, so the same seq index makes
 * that check atomic too. A new month starts from zero.
 */
import type { BudgetKind } from "../accounts/budget-rules.js";
import { periodOf } from "./periods.js";
import type { EntryReference, LedgerEntry } from "./types.js";

export interface UseCounter {
  key: string;
  /** Net credits this month's charges took. */
  credits: number;
  /** Net charges (review runs paid for) this month. */
  runs: number;
}

export interface MonthUse {
  /** "YYYY-MM" (UTC). */
  period: string;
  /** Gross credits charged this month (usage entries), whatever was refunded since. */
  charged: number;
  /** Credits refunded this month at someone's request (`/jasper refund`), against its cap. */
  requestedRefunds: number;
  /** Net credits of this month's charges, the account budget's use. */
  account: number;
  repositories: UseCounter[];
  authors: UseCounter[];
  /**
   * The budgets whose warning went out this month (`account`, `repository:owner/name`,
   * `author:login`): recorded by the charge that crossed the share, so that each budget warns
   * once a month however its use goes down (refunds) and up again.
   */
  warned: string[];
}

/** The caps a charge must fit, resolved from the account's budget rules by the caller. */
export interface ChargeLimits {
  account?: number | undefined;
  repository?: number | undefined;
  author?: number | undefined;
  /** Charged runs of this pull request this month, this one included. */
  pullRequestRuns?: number | undefined;
  /** The share (percent) of a credit budget at which the charge reaching it warns. */
  warnAtPercent?: number | undefined;
  /**
   * False: the caps are not checked, only counted toward their warnings (an admin let the
   * review past them). Default true.
   */
  enforce?: boolean | undefined;
}

/** A credit budget a charge took to its warning share: warn its billing contacts. */
export interface BudgetWarning {
  /** `account`, `repository:owner/name` or `author:login`, as in MonthUse.warned. */
  id: string;
  budget: Exclude<BudgetKind, "pull_request_runs">;
  cap: number;
  /** Use after the charge. */
  used: number;
}

/** The budget a charge did not fit: its cap and what was used before the charge. */
export interface BudgetStop {
  budget: BudgetKind;
  cap: number;
  used: number;
}

/** Where a charge's use is counted: keys of a pull request reference, lower-cased. */
export interface UseKeys {
  repository: string | null;
  author: string | null;
  pull: string | null;
}

export const emptyMonthUse = (period: string): MonthUse => ({
  period,
  charged: 0,
  requestedRefunds: 0,
  account: 0,
  repositories: [],
  authors: [],
  warned: [],
});

export function copyMonthUse(u: MonthUse): MonthUse {
  const counters = (cs: UseCounter[]) => cs.map((c) => ({ ...c }));
  return {
    ...u,
    repositories: counters(u.repositories),
    authors: counters(u.authors),
    warned: [...u.warned],
  };
}

/**
 * The counters of a pull request charge. Repository names are the full `owner/name`, logins
 * as GitHub spells them; both compared lower-cased, as GitHub does.
 */
export function useKeysOf(reference: EntryReference | null): UseKeys {
  if (reference?.kind !== "pull_request") return { repository: null, author: null, pull: null };
  const repository = reference.repository.toLowerCase();
  return {
    repository,
    author: reference.author ? reference.author.toLowerCase() : null,
    pull: `${repository}#${reference.number}`,
  };
}

const counterOf = (cs: readonly UseCounter[], key: string | null): UseCounter =>
  cs.find((c) => c.key === key) ?? { key: key ?? "", credits: 0, runs: 0 };

/** What one credit budget has used this month. */
export function usedBy(
  use: MonthUse,
  budget: Exclude<BudgetKind, "pull_request_runs">,
  keys: UseKeys,
): number {
  switch (budget) {
    case "account":
      return use.account;
    case "repository":
      return counterOf(use.repositories, keys.repository).credits;
    case "author":
      return counterOf(use.authors, keys.author).credits;
  }
}

/**
 * Charged runs of one pull request this month, net of refunds, from its usage and refund
 * entries of this month (the store's pullRequestEntries): a refund of one of those charges
 * gives its run back; a refund of an earlier month's charge gives nothing back to this month.
 */
export function pullRunsFrom(entries: readonly LedgerEntry[]): number {
  const charges = new Set(entries.filter((e) => e.type === "usage").map((e) => e.id));
  const refunded = entries.filter(
    (e) => e.type === "refund" && e.refundOf !== null && charges.has(e.refundOf),
  ).length;
  return charges.size - refunded;
}

/**
 * Charged runs of each pull request this month (pullRunsFrom, for all of them at once), from
 * the month's usage and refund entries oldest first: for people reading the per-PR cap.
 */
export function pullRunsByPullRequest(entries: readonly LedgerEntry[]): UseCounter[] {
  const byPull = new Map<string, LedgerEntry[]>();
  for (const e of entries) {
    const key = useKeysOf(e.reference).pull;
    if (key === null) continue;
    byPull.set(key, [...(byPull.get(key) ?? []), e]);
  }
  return [...byPull].flatMap(([key, es]) => {
    const runs = pullRunsFrom(es);
    return runs > 0 ? [{ key, credits: 0, runs }] : [];
  });
}

/**
 * The first budget a charge of `cost` does not fit, or null when it fits them all. A cap
 * whose key is unknown (an author not recorded) cannot be counted, so it is not checked; the
 * caller passes the author whenever it knows it. `pullRuns`: the pull request's charged runs
 * this month (pullRunsFrom), needed when limits.pullRequestRuns is set.
 */
export function budgetStop(
  use: MonthUse,
  limits: ChargeLimits,
  keys: UseKeys,
  cost: number,
  pullRuns: number,
): BudgetStop | null {
  const credit: [Exclude<BudgetKind, "pull_request_runs">, number | undefined, boolean][] = [
    ["account", limits.account, true],
    ["repository", limits.repository, keys.repository !== null],
    ["author", limits.author, keys.author !== null],
  ];
  for (const [budget, cap, countable] of credit) {
    if (cap === undefined || !countable) continue;
    const used = usedBy(use, budget, keys);
    if (used + cost > cap) return { budget, cap, used };
  }
  const runs = limits.pullRequestRuns;
  if (runs !== undefined && keys.pull !== null && pullRuns + 1 > runs) {
    return { budget: "pull_request_runs", cap: runs, used: pullRuns };
  }
  return null;
}

/**
 * The credit budgets at or over their warning share after a charge that have not warned this
 * month: each is added to `after.warned` (changed in place). Not only the charge that crosses
 * the share: a budget set (or lowered) past it warns with the next charge, once.
 */
export function takeWarnings(
  after: MonthUse,
  limits: ChargeLimits,
  keys: UseKeys,
): BudgetWarning[] {
  const pct = limits.warnAtPercent;
  if (pct === undefined) return [];
  const budgets: [BudgetWarning["budget"], number | undefined, string | null][] = [
    ["account", limits.account, "account"],
    ["repository", limits.repository, keys.repository && `repository:${keys.repository}`],
    ["author", limits.author, keys.author && `author:${keys.author}`],
  ];
  const out: BudgetWarning[] = [];
  for (const [budget, cap, id] of budgets) {
    if (cap === undefined || cap === 0 || id === null || after.warned.includes(id)) continue;
    // Integers only: used * 100 >= cap * pct is "at least pct percent" without rounding.
    const reached = (u: number) => u * 100 >= cap * pct;
    const usedAfter = usedBy(after, budget, keys);
    if (reached(usedAfter)) {
      after.warned.push(id);
      out.push({ id, budget, cap, used: usedAfter });
    }
  }
  return out;
}

/** `use` with a charge (sign 1) or the refund of one of this month's charges (sign -1). */
export function countCharge(use: MonthUse, keys: UseKeys, credits: number, sign: 1 | -1): MonthUse {
  const next = copyMonthUse(use);
  if (sign === 1) next.charged += credits;
  next.account = Math.max(0, next.account + sign * credits);
  next.repositories = bump(next.repositories, keys.repository, sign * credits, sign);
  next.authors = bump(next.authors, keys.author, sign * credits, sign);
  return next;
}

function bump(cs: UseCounter[], key: string | null, credits: number, runs: number): UseCounter[] {
  if (key === null) return cs;
  const current = counterOf(cs, key);
  const updated = {
    key,
    credits: Math.max(0, current.credits + credits),
    runs: Math.max(0, current.runs + runs),
  };
  const rest = cs.filter((c) => c.key !== key);
  // Zero counters are dropped so an entry carries only what this month used.
  return updated.credits === 0 && updated.runs === 0 ? rest : [...rest, updated];
}

/**
 * The month an entry's use belongs to: its clock's month, but never one before the use it
 * follows. Hosts' clocks differ a little; an entry stamped 23:59:59.9 on the last day after
 * one stamped 00:00:00.1 on the 1st still counts in the new month, instead of starting it
 * again (and forgetting its charges so far) for the entry after.
 */
export function usePeriod(at: Date, before: string): string {
  const own = periodOf(at);
  return own > before ? own : before;
}

/** The month a charge's use was counted in (its own month use's, or its clock's). */
export const chargePeriod = (charge: LedgerEntry): string =>
  charge.monthUse?.period ?? periodOf(charge.createdAt);

/**
 * The month's use before the next entry, written at `now`: the newest entry's when it is of
 * this month; zero in a new month. Null when the newest entry predates month use and is of
 * this month: the caller then counts the month from its entries (write-entry.ts, countMonthUse).
 */
export function carriedMonthUse(prev: LedgerEntry | null, now: Date): MonthUse | null {
  if (!prev) return emptyMonthUse(periodOf(now));
  const period = usePeriod(now, chargePeriod(prev));
  if (prev.monthUse) {
    return prev.monthUse.period === period ? copyMonthUse(prev.monthUse) : emptyMonthUse(period);
  }
  return periodOf(prev.createdAt) === period ? null : emptyMonthUse(period);
}

/**
 * The month's use after entry `e`, from the use before it: what the ledger writes on `e`, and
 * what the ledger check (verify-month-use.ts) and the count after an upgrade (countMonthUse) replay. `charge`
 * is the usage entry a refund gives back.
 */
export function useAfter(use: MonthUse, e: LedgerEntry, charge: LedgerEntry | undefined): MonthUse {
  const period = usePeriod(e.createdAt, use.period);
  let next = use.period === period ? use : emptyMonthUse(period);
  if (e.type === "usage") next = countCharge(next, useKeysOf(e.reference), -e.amount, 1);
  if (e.type !== "refund") return next;
  if (charge && chargePeriod(charge) === period) {
    next = countCharge(next, useKeysOf(charge.reference), -charge.amount, -1);
  }
  if (e.refundRequest) next = { ...next, requestedRefunds: next.requestedRefunds + e.amount };
  return next;
}

/** Two uses hold the same counts (counters compared by key, in any order). */
export function sameMonthUse(a: MonthUse, b: MonthUse): boolean {
  const norm = (u: MonthUse) =>
    JSON.stringify({
      ...u,
      repositories: [...u.repositories].sort((x, y) => x.key.localeCompare(y.key)),
      authors: [...u.authors].sort((x, y) => x.key.localeCompare(y.key)),
    });
  return norm(a) === norm(b);
}
