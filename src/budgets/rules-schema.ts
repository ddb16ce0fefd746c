/**
 * Budget rules as the API accepts them (docs/billing.md, "Budgets"). A PUT sends the whole
 * rules: a cap left out is no cap, a list left out is empty, the warning share 80 %. Strict
 * objects, so a misspelt field is refused rather than silently meaning "no cap".
 */
import picomatch from "picomatch";
import { z } from "zod";
import { DEFAULT_WARN_AT_PERCENT } from "../accounts/budget-rules.js";

export const MAX_BUDGET_CREDITS = 1_000_000_000;
export const MAX_REPOSITORY_RULES = 100;
export const MAX_AUTHOR_RULES = 500;
export const MAX_PULL_REQUEST_RUNS = 1000;
const MAX_PATTERN_LENGTH = 100;

/** 0 is a real cap: nothing may be spent there. */
const credits = z.number().int().min(0).max(MAX_BUDGET_CREDITS);
const cap = (what: string) => credits.nullable().default(null).describe(`${what}; null: no cap`);

/**
 * A repository name (GitHub allows letters, digits, `.`, `_`, `-`) or a glob of them. No `/`:
 * rules match the name without the owner, which is always the account itself.
 */
const PATTERN_CHARACTERS = /^[A-Za-z0-9._\-*?[\]{},!]+$/;

const pattern = z
  .string()
  .min(1)
  .max(MAX_PATTERN_LENGTH)
  .regex(PATTERN_CHARACTERS, {
    message:
      "must be a repository name (without the owner) or a glob: letters, digits, . _ - and * ? [ ] { } , !",
  })
  .refine(isValidGlob, { message: "is not a valid glob (an unclosed [ or {?)" })
  .describe("A repository name (`api`) or a glob (`api-*`, `{web,app}`), case-insensitive");

/**
 * A GitHub login: letters, digits and hyphens, not starting with one, at most 39; apps
 * author pull requests as `name[bot]`. Consecutive or trailing hyphens are let through:
 * GitHub refuses them now, but some old accounts still have them.
 */
const login = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}(\[bot\])?$/, { message: "is not a GitHub login" });

const repositoryRule = z.strictObject({ pattern, credits });
const authorRule = z.strictObject({ login, credits });

// No meta id: with its defaults, its input and output differ, and the OpenAPI document
// cannot give both one component name.
export const budgetRulesSchema = z.strictObject({
  account: cap("Credits per month for the whole account"),
  repositories: z
    .array(repositoryRule)
    .max(MAX_REPOSITORY_RULES)
    .default([])
    .superRefine(noDuplicates("pattern"))
    .describe(
      "Each matching repository gets the cap on its own; an exact name wins over globs, among globs the first listed",
    ),
  authorDefault: cap("Credits per month for each pull request author not listed in authors"),
  authors: z
    .array(authorRule)
    .max(MAX_AUTHOR_RULES)
    .default([])
    .superRefine(noDuplicates("login"))
    .describe("Caps for named authors, in place of authorDefault"),
  pullRequestRuns: z
    .number()
    .int()
    .min(1)
    .max(MAX_PULL_REQUEST_RUNS)
    .nullable()
    .default(null)
    .describe("Charged review runs per pull request per month; null: no cap"),
  warnAtPercent: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(DEFAULT_WARN_AT_PERCENT)
    .describe("The share of a budget at which the billing contacts are warned, once a month"),
});

/** picomatch refuses an unclosed bracket or brace only when asked to be strict. */
function isValidGlob(p: string): boolean {
  try {
    picomatch.makeRe(p, { strictBrackets: true });
    return true;
  } catch {
    return false;
  }
}

/** Refuses a second rule for the same name, case-insensitively (GitHub's names are). */
function noDuplicates<K extends string>(key: K) {
  return (rules: readonly Record<K, string>[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      const name = rule[key].toLowerCase();
      if (seen.has(name)) {
        ctx.addIssue({
          code: "custom",
          path: [i, key],
          message: `${rule[key]} is listed twice (names are case-insensitive)`,
        });
      }
      seen.add(name);
    });
  };
}
