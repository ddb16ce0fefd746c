/**
 * Which budgets apply to a charge: the account's rules resolved for one pull request, as the
 * caps the ledger checks (ledger/month-use.ts).
 */
import picomatch from "picomatch";
import type { ChargeLimits } from "../ledger/month-use.js";
import type { BudgetRules, RepositoryBudget } from "../accounts/budget-rules.js";

/**
 * Whether a pattern is a glob rather than one repository's name. A leading `!` (every
 * repository but these) is one too, though picomatch's scan reports it apart from isGlob.
 */
export function isGlob(pattern: string): boolean {
  const scanned = picomatch.scan(pattern);
  return scanned.isGlob || scanned.negated;
}

/**
 * The rule that governs a repository (its name without the owner): a rule naming it exactly,
 * else the first glob that matches it, else none. Case-insensitive, as GitHub's names are.
 */
export function repositoryRuleFor(
  rules: Pick<BudgetRules, "repositories">,
  repository: string,
): RepositoryBudget | null {
  const name = repositoryName(repository).toLowerCase();
  const exact = rules.repositories.find(
    (r) => !isGlob(r.pattern) && r.pattern.toLowerCase() === name,
  );
  if (exact) return exact;
  return (
    rules.repositories.find(
      (r) => isGlob(r.pattern) && picomatch.isMatch(name, r.pattern, { nocase: true, dot: true }),
    ) ?? null
  );
}

/** The monthly cap of one pull request author: their own, else the default; null: none. */
export function authorCapFor(
  rules: Pick<BudgetRules, "authorDefault" | "authors">,
  login: string,
): number | null {
  const own = rules.authors.find((a) => a.login.toLowerCase() === login.toLowerCase());
  return own ? own.credits : rules.authorDefault;
}

/** The caps a review charge on `repository` (owner/name) by `author` must fit. */
export function limitsFor(
  rules: BudgetRules,
  pr: { repository: string; author?: string | undefined },
): ChargeLimits {
  const limits: ChargeLimits = {};
  if (rules.account !== null) limits.account = rules.account;
  const repo = repositoryRuleFor(rules, pr.repository);
  if (repo) limits.repository = repo.credits;
  const author = pr.author ? authorCapFor(rules, pr.author) : null;
  if (author !== null) limits.author = author;
  if (rules.pullRequestRuns !== null) limits.pullRequestRuns = rules.pullRequestRuns;
  return limits;
}

/** `owner/name` → `name`; a bare name stays as it is. */
export function repositoryName(repository: string): string {
  const slash = repository.indexOf("/");
  return slash === -1 ? repository : repository.slice(slash + 1);
}
