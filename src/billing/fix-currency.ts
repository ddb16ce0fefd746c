/**
 * Fixes the account's billing currency at its first payment, and says so in the audit log:
 * a billing change like any other. Called by every paid purchase (a Checkout Session, an
 * automatic top-up), replays included; the store sets the currency only when it is unset, and
 * the audit entry is keyed by the account, so however many payments come, in whatever order,
 * the account gets one currency and one entry.
 */
import type { AccountStore } from "../accounts/account-store.js";
import type { AccountId } from "../accounts/types.js";

/** The audit log's record(), as far as this file uses it (a port: audit is not below billing). */
export interface CurrencyAudit {
  record(input: {
    accountId: AccountId;
    actor: { kind: "stripe" };
    action: "billing_currency_fixed";
    interface: "webhook";
    details: Record<string, unknown>;
    idempotencyKey: string;
  }): Promise<unknown>;
}

export interface FixCurrencyDeps {
  accounts: Pick<AccountStore, "fixBillingCurrency">;
  audit: CurrencyAudit;
}

/** The audit key: one entry per account, since its currency is fixed once. */
export const currencyAuditKey = (accountId: AccountId) => `billing-currency:${accountId}`;

export function createFixCurrency(deps: FixCurrencyDeps) {
  return async (accountId: AccountId, currency: string): Promise<string | null> => {
    const fixed = await deps.accounts.fixBillingCurrency(accountId, currency);
    // Fixed to this payment's currency, now or by an earlier delivery of it whose audit may
    // have failed: recorded (once). Fixed to another: an earlier payment's, already recorded.
    if (fixed === currency) {
      await deps.audit.record({
        accountId,
        actor: { kind: "stripe" },
        action: "billing_currency_fixed",
        interface: "webhook",
        details: { currency },
        idempotencyKey: currencyAuditKey(accountId),
      });
    }
    return fixed;
  };
}
