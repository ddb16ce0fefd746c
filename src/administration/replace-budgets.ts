import type { AccountStore } from "../accounts/account-store.js";
import type { BudgetRules } from "../accounts/budget-rules.js";
import type { Account } from "../accounts/types.js";
import { MAX_DETAILS_BYTES, type AuditLog } from "../audit/audit-log.js";
import { budgetChange } from "../budgets/budget-change.js";
import type { Admin } from "./admin.js";

export interface ReplaceBudgetsDeps {
  accounts: Pick<AccountStore, "setBudgets">;
  audit: Pick<AuditLog, "record">;
}

/**
 * Replaces the account's budget rules whole (a cap left out is no cap) and records what
 * changed; an unchanged replacement records nothing. Null when the account is gone.
 */
export async function replaceBudgets(
  deps: ReplaceBudgetsDeps,
  account: Account,
  admin: Admin,
  rules: BudgetRules,
): Promise<Account | null> {
  const updated = await deps.accounts.setBudgets(account.id, rules);
  if (!updated) return null;
  const change = budgetChange(account.budgets, updated.budgets, MAX_DETAILS_BYTES);
  if (change) {
    await deps.audit.record({
      accountId: account.id,
      actor: admin.actor,
      action: "budget_changed",
      interface: admin.interface,
      details: { ...change },
    });
  }
  return updated;
}
