import type { Ledger } from "../ledger/ledger.js";
import { toAccountId, toAccountType } from "../accounts/types.js";
import type { AccountStore } from "../accounts/account-store.js";

/** The GitHub account an installation belongs to, as the webhook names it. */
export interface GitHubAccount {
  id: number;
  login: string;
  type: string;
  /** The installation the event came through: installation events name the account's own. */
  installationId?: number | undefined;
}

export interface AccountLifecycleDeps {
  accounts: Pick<AccountStore, "upsert" | "setStatus">;
  ledger: Pick<Ledger, "ensureFreeTier">;
}

/**
 * What installing, suspending and removing the app does to an account. Accounts and their
 * ledgers are never deleted: a removed installation is marked, and comes back with its
 * history and balance if the app is installed again.
 */
export function createAccountLifecycle({ accounts, ledger }: AccountLifecycleDeps) {
  const upsert = (a: GitHubAccount) =>
    accounts.upsert({
      id: toAccountId(a.id),
      login: a.login,
      type: toAccountType(a.type),
      installationId: a.installationId,
    });

  return {
    /** Installed (or reinstalled, or unsuspended): active, with this month's free tier. */
    async activated(a: GitHubAccount): Promise<void> {
      const account = await upsert(a);
      await accounts.setStatus(account.id, "active");
      await ledger.ensureFreeTier(account.id);
    },
    /**
     * Repositories added or removed, permissions accepted: keep the login current (GitHub
     * allows renames), and make sure an account installed before Jasper kept accounts has
     * its free tier.
     */
    async seen(a: GitHubAccount): Promise<void> {
      const account = await upsert(a);
      await ledger.ensureFreeTier(account.id);
    },
    async suspended(a: GitHubAccount): Promise<void> {
      await accounts.setStatus((await upsert(a)).id, "suspended");
    },
    async uninstalled(a: GitHubAccount): Promise<void> {
      await accounts.setStatus((await upsert(a)).id, "uninstalled");
    },
  };
}
export type AccountLifecycle = ReturnType<typeof createAccountLifecycle>;
