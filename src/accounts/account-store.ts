/**
 * The accounts' persistence port, implemented in src/store (memory, mongo) and checked by
 * test/contract against every implementation.
 */
import type { Account, AccountId, AccountSettings, AccountStatus, AccountType } from "./types.js";

export interface AccountUpsert {
  id: AccountId;
  login: string;
  type: AccountType;
}

export interface AccountStore {
  /** Creates the account, or brings its login and type up to date. Never resets status. */
  upsert(input: AccountUpsert): Promise<Account>;
  get(id: AccountId): Promise<Account | null>;
  /** GitHub logins are case-insensitive. */
  findByLogin(login: string): Promise<Account | null>;
  setStatus(id: AccountId, status: AccountStatus): Promise<Account | null>;
  updateSettings(id: AccountId, settings: Partial<AccountSettings>): Promise<Account | null>;
}
