import { NO_BUDGETS, type BudgetRules } from "../accounts/budget-rules.js";

/**
 * Budget rules with arrays (and rule objects) of their own: stores hand these out and keep
 * these, so that neither a caller's later change nor a push onto NO_BUDGETS' own arrays can
 * change what is stored or every account's default.
 */
export function copyBudgetRules(rules: BudgetRules): BudgetRules {
  return {
    ...rules,
    repositories: rules.repositories.map((r) => ({ ...r })),
    authors: rules.authors.map((a) => ({ ...a })),
  };
}

/** The rules of an account that has set none: NO_BUDGETS, as a copy. */
export const noBudgets = (): BudgetRules => copyBudgetRules(NO_BUDGETS);
