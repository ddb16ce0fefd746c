/**
 * Spend controls (docs/billing.md, "Budgets"): how many credits an account lets its reviews
 * spend per calendar month (UTC), for the whole account, per repository, per pull request
 * author, and how many charged review runs one pull request may have in a month. A budget
 * that is used up stops charging; it never takes credits. The ledger keeps the month's use
 * on its entries (ledger/month-use.ts) and checks it in the same step as the balance.
 */

/** A cap for the repositories whose name (without the owner) matches `pattern`. */
export interface RepositoryBudget {
  /** A repository name (`api`) or a glob (`api-*`, `{web,app}`), case-insensitive. */
  pattern: string;
  credits: number;
}

/** A cap for one pull request author, in place of the default author cap. */
export interface AuthorBudget {
  /** GitHub login, case-insensitive. */
  login: string;
  credits: number;
}

export interface BudgetRules {
  /** Credits per month for the whole account; null: no cap. */
  account: number | null;
  /**
   * Each repository a rule matches gets that rule's cap on its own (not shared). An exact
   * name wins over globs; among globs, the first listed.
   */
  repositories: RepositoryBudget[];
  /** Credits per month for each pull request author not named in `authors`; null: none. */
  authorDefault: number | null;
  authors: AuthorBudget[];
  /** Charged review runs per pull request per month; null: no cap. */
  pullRequestRuns: number | null;
  /** The share of a budget (percent) at which the billing contacts are warned, once a month. */
  warnAtPercent: number;
}

export const DEFAULT_WARN_AT_PERCENT = 80;

export const NO_BUDGETS: BudgetRules = {
  account: null,
  repositories: [],
  authorDefault: null,
  authors: [],
  pullRequestRuns: null,
  warnAtPercent: DEFAULT_WARN_AT_PERCENT,
};

/** Which budget stopped a charge. */
export const BUDGET_KINDS = ["account", "repository", "author", "pull_request_runs"] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

/**
 * What stops a review the way a budget does (nothing charged, a check run, one comment): a
 * budget, or the plan's seat limit (src/billing/seat-limit.ts), which is not a budget rule.
 */
export const STOP_KINDS = [...BUDGET_KINDS, "seats"] as const;
export type StopKind = (typeof STOP_KINDS)[number];
