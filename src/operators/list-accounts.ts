import type { AccountStore } from "../accounts/account-store.js";
import type { Account } from "../accounts/types.js";
import { ALERT_LEVELS, alertLevelOf, type AlertLevel } from "../ledger/credits.js";
import type { LedgerStore } from "../ledger/ledger-store.js";

/** Balances at or below this are listed by `by: "balance"`: the warning level and lower. */
export const WARNING_THRESHOLD = ALERT_LEVELS[0].threshold;

export interface AccountLine {
  account: Pick<Account, "id" | "login" | "status">;
  balance: number;
  alertLevel: AlertLevel | "none";
  /** The newest ledger entry's time: the last time money moved. */
  lastActivity: Date | null;
}

export interface ListAccountsDeps {
  accounts: Pick<AccountStore, "get">;
  ledger: Pick<LedgerStore, "accountIds" | "latest">;
}

/**
 * Accounts by balance (those at the warning level or below, lowest first) or by last
 * activity (newest first). Reads each account's newest entry, one query per account (the
 * ledger check walks them the same way): enough for an operator's command at Jasper's
 * scale; a per-account balance index would be the next step if it is not.
 */
export function createListAccounts(deps: ListAccountsDeps) {
  return async (by: "balance" | "activity", limit = 50): Promise<AccountLine[]> => {
    const lines: AccountLine[] = [];
    for await (const id of deps.ledger.accountIds()) {
      const latest = await deps.ledger.latest(id);
      const balance = latest?.balanceAfter ?? 0;
      if (by === "balance" && balance > WARNING_THRESHOLD) continue;
      const account = await deps.accounts.get(id);
      lines.push({
        account: account
          ? { id: account.id, login: account.login, status: account.status }
          : { id, login: "(unknown)", status: "uninstalled" },
        balance,
        alertLevel: alertLevelOf(balance),
        lastActivity: latest?.createdAt ?? null,
      });
    }
    const time = (l: AccountLine) => l.lastActivity?.getTime() ?? 0;
    lines.sort(
      by === "balance"
        ? (a, b) => a.balance - b.balance || time(b) - time(a)
        : (a, b) => time(b) - time(a) || a.account.id - b.account.id,
    );
    return lines.slice(0, Math.max(limit, 0));
  };
}
