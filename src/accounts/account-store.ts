/**
 * The accounts' persistence port, implemented in src/store (memory, mongo) and checked by
 * test/contract against every implementation.
 */
import type { BudgetRules } from "./budget-rules.js";
import type { Account, AccountId, AccountSettings, AccountStatus, AccountType } from "./types.js";

export interface AccountUpsert {
  id: AccountId;
  login: string;
  type: AccountType;
  /**
   * The app's installation on the account, from an installation event (GitHub's own word on
   * whose it is); kept when absent. Never from a repository event: that is what is checked.
   */
  installationId?: number | undefined;
}

export interface AccountStore {
  /** Creates the account, or brings its login and type up to date. Never resets status. */
  upsert(input: AccountUpsert): Promise<Account>;
  get(id: AccountId): Promise<Account | null>;
  /** GitHub logins are case-insensitive. */
  findByLogin(login: string): Promise<Account | null>;
  /**
   * The account an installation event last named for this installation id; null when none
   * has (an account installed before installations were kept, until its next one).
   */
  findByInstallation(installationId: number): Promise<Account | null>;
  setStatus(id: AccountId, status: AccountStatus): Promise<Account | null>;
  updateSettings(id: AccountId, settings: Partial<AccountSettings>): Promise<Account | null>;
  /**
   * Replaces the account's budget rules as a whole (the API's PUT sends all of them, so a
   * field left out is a rule removed, never one kept by a merge). Null: no such account.
   */
  setBudgets(id: AccountId, rules: BudgetRules): Promise<Account | null>;
}
