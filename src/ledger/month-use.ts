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
 *
 * Repositories are counted by GitHub's id, which a rename keeps (the counter carries the newest
 * name it was charged under, for people). Charges written before references carried the id
 * are counted by their lower-cased `owner/name`; the first charge of the month with an id folds
 * the counter of its name (its use, and whether its budget warned) into the id's, so the
 * month an upgrade lands in loses nothing. A repository renamed in that same month before its
 * first charge with an id keeps its older name's use apart (nothing ties the two names).
 */
import type { BudgetKind } from "../accounts/budget-rules.js";
import { periodOf } from "./periods.js";
import type { EntryReference, LedgerEntry } from "./types.js";
import type { UsageGroup } from "./usage-groups.js";

export interface UseCounter {
  /**
   * Authors: the login, lower-cased. Repositories: GitHub's id (digits) or, for charges from
   * before ids were kept, the lower-cased `owner/name` (which always holds a slash).
   */
  key: string;
  /** A repository counted by id: the newest name (lower-cased) it was charged under. */
  name?: string | undefined;
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
   * The budgets whose warning went out this month (`account`, `repository:<counter key>`,
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
  /** `account`, `repository:<counter key>` or `author:login`, as in MonthUse.warned. */
  id: string;
  budget: Exclude<BudgetKind, "pull_request_runs">;
  /** A repository budget's repository, `owner/name` (lower-cased) as the charge named it. */
  repository?: string | undefined;
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
  /** The repository's counter key: its id when the reference has one, else its name. */
  repository: string | null;
  /** The repository's `owner/name` as the charge named it, lower-cased. */
  repositoryName: string | null;
  author: string | null;
  /** `<repository key>#<number>`. */
  pull: string | null;
}

/** Whether a repository counter key is a name (from before ids were kept) rather than an id. */
export const isNameKey = (key: string): boolean => key.includes("/");

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
 * The counters of a pull request charge. A repository is its GitHub id when the reference has
 * it, else its full `owner/name`; names and logins are compared lower-cased, as GitHub does.
 */
export function useKeysOf(reference: EntryReference | null): UseKeys {
  if (reference?.kind !== "pull_request") {
    return { repository: null, repositoryName: null, author: null, pull: null };
  }
  const repositoryName = reference.repository.toLowerCase();
  const repository =
    reference.repositoryId !== undefined ? String(reference.repositoryId) : repositoryName;
  return {
    repository,
    repositoryName,
    author: reference.author ? reference.author.toLowerCase() : null,
    pull: `${repository}#${reference.number}`,
  };
}

const counterOf = (cs: readonly UseCounter[], key: string | null): UseCounter =>
  cs.find((c) => c.key === key) ?? { key: key ?? "", credits: 0, runs: 0 };

/**
 * The counters that are this charge's repository. By id: the id's, and its name's from before
 * ids were kept (folded into it by the charge). By name (a charge, or the refund of one, from
 * before ids): the name's, or once that was folded, the id counter now carrying that name.
 */
function repositoryCounters(cs: readonly UseCounter[], keys: UseKeys): UseCounter[] {
  const { repository: key, repositoryName: name } = keys;
  if (key === null) return [];
  if (!isNameKey(key)) return cs.filter((c) => c.key === key || c.key === name);
  const own = cs.find((c) => c.key === key);
  if (own) return [own];
  const folded = cs.find((c) => !isNameKey(c.key) && c.name === name);
  return folded ? [folded] : [];
}

/** What a repository's counters add up to (see repositoryCounters). */
function repositoryUse(
  cs: readonly UseCounter[],
  keys: UseKeys,
): { credits: number; runs: number } {
  return repositoryCounters(cs, keys).reduce(
    (sum, c) => ({ credits: sum.credits + c.credits, runs: sum.runs + c.runs }),
    { credits: 0, runs: 0 },
  );
}

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
      return repositoryUse(use.repositories, keys).credits;
    case "author":
      return counterOf(use.authors, keys.author).credits;
  }
}

/**
 * Charged runs of one pull request this month, net of refunds, from its usage and refund
 * entries of this month (the store's pullRequestEntries): a refund of one of those charges
 * gives its run back; a refund of an earlier month's charge gives nothing back to this month.
 */
export function pullRunsFrom(entries: readonly PullRunEntry[]): number {
  const charges = new Set(entries.filter((e) => e.type === "usage").map((e) => e.id));
  const refunded = entries.filter(
    (e) => e.type === "refund" && e.refundOf !== null && charges.has(e.refundOf),
  ).length;
  return charges.size - refunded;
}

/** What pull request runs are counted from: an entry, or a row of one (EntryRow). */
export type PullRunEntry = Pick<LedgerEntry, "id" | "type" | "refundOf" | "reference">;

/**
 * Charged runs of each pull request this month (pullRunsFrom, for all of them at once), from
 * the month's usage and refund entries grouped by reference (usage-groups.ts, with runs):
 * for people reading the per-PR cap. A refund is in its charge's group (it carries the
 * charge's reference), so a pull request's runs are its groups' runs added up. Keyed
 * `owner/name#number` under the newest name each repository was charged under this month; a
 * pull request counted by name (before ids were kept) joins the repository charged under that
 * name this month, as the usage report does.
 */
export function pullRunsByPullRequest(groups: readonly UsageGroup[]): UseCounter[] {
  const byPull = new Map<string, { repository: string; number: number; runs: number }>();
  const newestName = new Map<string, { name: string; seq: number }>();
  const idOfName = new Map<string, { id: string; seq: number }>();
  // In the order the groups' first entries came, as the entries were once read.
  for (const g of [...groups].sort((a, b) => a.firstSeq - b.firstSeq)) {
    const ref = g.reference;
    if (ref?.kind !== "pull_request" || ref.repository === undefined) continue;
    if (ref.number === undefined) continue;
    const {
      repository,
      repositoryName: name,
      pull,
    } = useKeysOf({
      kind: "pull_request",
      repository: ref.repository,
      repositoryId: ref.repositoryId,
      number: ref.number,
    });
    if (pull === null || repository === null || name === null) continue;
    if (!isNameKey(repository)) {
      // A refund names the repository as its charge did, not as it is called now.
      const named = newestName.get(repository);
      if (g.usage.count > 0 && (!named || g.usage.lastSeq > named.seq)) {
        newestName.set(repository, { name, seq: g.usage.lastSeq });
      }
      const seq = Math.max(g.usage.lastSeq, g.refund.lastSeq);
      const held = idOfName.get(name);
      if (!held || seq > held.seq) idOfName.set(name, { id: repository, seq });
    }
    const group = byPull.get(pull) ?? { repository, number: ref.number, runs: 0 };
    group.runs += g.runs;
    byPull.set(pull, group);
  }
  const runsByName = new Map<string, number>();
  for (const { repository, number, runs } of byPull.values()) {
    const id = isNameKey(repository) ? idOfName.get(repository)?.id : repository;
    const key = `${(id && newestName.get(id)?.name) ?? repository}#${number}`;
    runsByName.set(key, (runsByName.get(key) ?? 0) + runs);
  }
  return [...runsByName].flatMap(([key, runs]) => (runs > 0 ? [{ key, credits: 0, runs }] : []));
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
    ["repository", limits.repository, keys.repository && repositoryWarning(keys.repository)],
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
      out.push({ id, budget, cap, used: usedAfter, ...warningName(budget, keys) });
    }
  }
  return out;
}

const repositoryWarning = (key: string) => `repository:${key}`;

/** A repository warning's name for people (its id says nothing to them). */
export function warningName(
  budget: BudgetWarning["budget"],
  keys: UseKeys,
): { repository?: string } {
  return budget === "repository" && keys.repositoryName !== null
    ? { repository: keys.repositoryName }
    : {};
}

/** `use` with a charge (sign 1) or the refund of one of this month's charges (sign -1). */
export function countCharge(use: MonthUse, keys: UseKeys, credits: number, sign: 1 | -1): MonthUse {
  const next = copyMonthUse(use);
  if (sign === 1) next.charged += credits;
  next.account = Math.max(0, next.account + sign * credits);
  next.repositories = bumpRepository(next, keys, sign * credits, sign);
  next.authors = bump(next.authors, keys.author, sign * credits, sign);
  return next;
}

/**
 * The repository counters after a charge or refund: by id, the name's counter from before ids
 * is folded in (and its warning moved to the id, changing `use.warned` in place), and the
 * counter takes the charge's name; by name, see repositoryCounters.
 */
function bumpRepository(use: MonthUse, keys: UseKeys, credits: number, runs: number) {
  const cs = use.repositories;
  const { repository: key, repositoryName: name } = keys;
  if (key === null || name === null) return cs;
  const mine = repositoryCounters(cs, keys);
  const sum = repositoryUse(cs, keys);
  // A refund names the repository as its charge did: the counter keeps its newest name.
  const newest = runs > 0 ? name : (cs.find((c) => c.key === key)?.name ?? name);
  const target = isNameKey(key) ? (mine[0] ?? { key, credits: 0, runs: 0 }) : { key, name: newest };
  if (!isNameKey(key)) {
    const old = repositoryWarning(name);
    if (use.warned.includes(old)) {
      use.warned = use.warned.filter((w) => w !== old);
      if (!use.warned.includes(repositoryWarning(key))) use.warned.push(repositoryWarning(key));
    }
  }
  const updated: UseCounter = {
    ...target,
    credits: Math.max(0, sum.credits + credits),
    runs: Math.max(0, sum.runs + runs),
  };
  const rest = cs.filter((c) => !mine.includes(c));
  // Zero counters are dropped so an entry carries only what this month used.
  return updated.credits === 0 && updated.runs === 0 ? rest : [...rest, updated];
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
export const chargePeriod = (charge: Pick<LedgerEntry, "monthUse" | "createdAt">): string =>
  charge.monthUse?.period ?? periodOf(charge.createdAt);

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
  // Field by field: a stored counter's fields need not come back in the order they were built.
  const counters = (cs: UseCounter[]) =>
    [...cs]
      .sort((x, y) => x.key.localeCompare(y.key))
      .map((c) => [c.key, c.name ?? null, c.credits, c.runs]);
  const norm = (u: MonthUse) =>
    JSON.stringify([
      u.period,
      u.charged,
      u.requestedRefunds,
      u.account,
      counters(u.repositories),
      counters(u.authors),
      u.warned,
    ]);
  return norm(a) === norm(b);
}
