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

/**
 * The listing copy of an account's ledger position, for the operators' account list: the
 * balance and time of the newest ledger entry the copy was made from, and that entry's seq.
 * A copy, not the truth (the ledger is): written after each append, so it may lag the
 * ledger (a crash between the two, an update that failed) until the account's next entry or
 * the operators' repair (src/operators/repair-listings.ts) brings it up to date.
 */
export interface AccountListing {
  seq: number;
  balance: number;
  lastActivity: Date;
}

/** One line of the operators' list: the account's few fields and its listing copy. */
export interface ListedAccount {
  id: AccountId;
  login: string;
  status: AccountStatus;
  /** Null: no copy yet (no entry since the copy was kept, or none at all). */
  listing: AccountListing | null;
}

/**
 * The order of a listing page, each with its own index: by id (every account), by balance
 * (lowest first) or by last activity (newest first); the latter two list only accounts with
 * a listing copy, ties by id.
 */
export type ListingOrder = "id" | "balance" | "activity";

/**
 * Where the next page starts: the last line handed out, as its sort value (the balance, or
 * the last activity in ms; unused by id) and its id.
 */
export interface ListingCursor {
  value: number;
  id: AccountId;
}

export interface ListingQuery {
  by: ListingOrder;
  /** Only accounts whose listed balance is at most this (with `by: "balance"`). */
  maxBalance?: number | undefined;
  /** The page after this line; the first page when absent. */
  after?: ListingCursor | undefined;
  /** Page size, at most MAX_LISTING_PAGE; 0 or less: nothing. */
  limit: number;
}

/** The most lines a listing page reads, whatever a caller asks for. */
export const MAX_LISTING_PAGE = 500;

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
  /**
   * Sets the account's listing copy, only if the copy held is from an older entry (a lower
   * seq) or there is none: one conditional update, so two writers finishing out of order
   * never move it back. Never touches `updatedAt` (which login lookups are ordered by).
   * False when nothing changed (no such account, or a copy as new or newer is there).
   */
  recordListing(id: AccountId, listing: AccountListing): Promise<boolean>;
  /**
   * Sets the account's billing currency only if it has none: one conditional update, so two
   * first payments landing together fix one currency, the first written, for good. The
   * account's billing currency after the call (the one given, or the one fixed before); null
   * when there is no such account.
   */
  fixBillingCurrency(id: AccountId, currency: string): Promise<string | null>;
  /** One page of accounts in `query.by` order, each with its listing copy. */
  listAccounts(query: ListingQuery): Promise<ListedAccount[]>;
}
