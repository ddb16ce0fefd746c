/**
 * What each budget has used this month, for people (the API's budgets route, the billing
 * summary, the dashboard): the account's rules beside the ledger's month use
 * (ledger/month-use.ts). The charge path checks the same numbers (limits.ts, budgetStop).
 */
import type { MonthUse, UseCounter } from "../ledger/month-use.js";
import { authorCapFor, repositoryRuleFor } from "./limits.js";
import type { BudgetRules } from "../accounts/budget-rules.js";

/**
 * "ok" below the warning share, "warning" from it, "used_up" when the next charge would not
 * fit (at the cap; a cap of 0 is used up from the start). Null when there is no cap.
 */
export type BudgetLevel = "ok" | "warning" | "used_up";

export interface BudgetMeter {
  used: number;
  cap: number | null;
  level: BudgetLevel | null;
}

export interface RepositoryRuleUse {
  pattern: string;
  cap: number;
  /** The repositories this rule governs that were charged this month, most used first. */
  repositories: ({ repository: string } & BudgetMeter)[];
}

export interface BudgetUse {
  /** "YYYY-MM" (UTC). */
  period: string;
  account: BudgetMeter;
  /** Every repository rule, in the rules' order, with the use of what it governs. */
  repositories: RepositoryRuleUse[];
  /** Every author charged this month, most used first, with the cap that applies to them. */
  authors: ({ login: string } & BudgetMeter)[];
  /** Pull requests whose charged runs reached the warning share of the run cap. */
  pullRequests: ({ pullRequest: string } & BudgetMeter)[];
}

export function meter(used: number, cap: number | null, warnAtPercent: number): BudgetMeter {
  return { used, cap, level: cap === null ? null : levelOf(used, cap, warnAtPercent) };
}

function levelOf(used: number, cap: number, warnAtPercent: number): BudgetLevel {
  if (used >= cap) return "used_up";
  // Integer arithmetic: 80 % of 5 is 4, and 4 is a warning, with no float deciding it.
  return used * 100 >= cap * warnAtPercent ? "warning" : "ok";
}

const mostUsedFirst = (cs: readonly UseCounter[]): UseCounter[] =>
  [...cs].sort((a, b) => b.credits - a.credits || a.key.localeCompare(b.key));

/**
 * `pullRuns`: charged runs per pull request this month (Ledger.pullRequestRuns), read only
 * when the account caps them; without it the pull request list is empty.
 */
export function budgetUse(
  rules: BudgetRules,
  use: MonthUse,
  pullRuns: readonly UseCounter[] = [],
): BudgetUse {
  const warn = rules.warnAtPercent;
  const repositories = rules.repositories.map((rule) => ({
    pattern: rule.pattern,
    cap: rule.credits,
    repositories: [] as RepositoryRuleUse["repositories"],
  }));
  for (const c of mostUsedFirst(use.repositories)) {
    // Attributed by the same resolution a charge uses, so a repository is counted under the
    // one rule that caps it. A repository counted by id goes by the newest name it was
    // charged under this month (a rename keeps its use; its rule is its new name's).
    const repository = c.name ?? c.key;
    const rule = repositoryRuleFor(rules, repository);
    if (!rule) continue;
    repositories[rules.repositories.indexOf(rule)]?.repositories.push({
      repository,
      ...meter(c.credits, rule.credits, warn),
    });
  }
  const runCap = rules.pullRequestRuns;
  return {
    period: use.period,
    account: meter(use.account, rules.account, warn),
    repositories,
    authors: mostUsedFirst(use.authors).map((c) => ({
      login: c.key,
      ...meter(c.credits, authorCapFor(rules, c.key), warn),
    })),
    pullRequests:
      runCap === null
        ? []
        : [...pullRuns]
            .sort((a, b) => b.runs - a.runs || a.key.localeCompare(b.key))
            .map((c) => ({ pullRequest: c.key, ...meter(c.runs, runCap, warn) }))
            .filter((p) => p.level !== "ok"),
  };
}

/** The budgets that are set and have use this month, as the billing summary lists them. */
export interface SetBudgetUse {
  period: string;
  /** Null when the account has no cap. */
  account: BudgetMeter | null;
  repositories: ({ repository: string; pattern: string } & BudgetMeter)[];
  authors: ({ login: string } & BudgetMeter)[];
}

export function setBudgetUse(u: BudgetUse): SetBudgetUse {
  return {
    period: u.period,
    account: u.account.cap === null ? null : u.account,
    repositories: u.repositories.flatMap((rule) =>
      rule.repositories.map((r) => ({ ...r, pattern: rule.pattern })),
    ),
    authors: u.authors.filter((a) => a.cap !== null),
  };
}
