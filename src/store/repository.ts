/**
 * The persistence contract. The ledger's rules (spend order, month roll, idempotency) live in
 * src/ledger and are the same whatever stores the data; an implementation only has to keep
 * these promises, which test/contract checks against every implementation available:
 *
 * - `append` inserts one entry atomically, or nothing. It refuses an entry whose
 *   (accountId, seq), (accountId, idempotencyKey) or (accountId, refundOf) already exists,
 *   and says which. Those three uniqueness rules are the whole concurrency story: a writer
 *   reads the newest entry, builds the next one with seq + 1, and a concurrent writer that
 *   got there first makes the insert fail instead of spending the same credit twice.
 * - Entries are never updated or deleted.
 * - Every read and write is scoped to one account (the AccountId parameter); nothing
 *   returned is a live database document.
 */
import type {
  Account,
  AccountId,
  AccountSettings,
  AccountStatus,
  AccountType,
  EntryType,
  LedgerEntry,
} from "../ledger/types.js";
import type { ApiKeyStore } from "./api-key-types.js";
import type { PullRequestStore, ReviewRunStore } from "../reviews/types.js";

export type NewEntry = Omit<LedgerEntry, "id">;

export type AppendConflict = "sequence" | "idempotency_key" | "refund";
export type AppendResult =
  { ok: true; entry: LedgerEntry } | { ok: false; conflict: AppendConflict };

export interface EntryQuery {
  /** Only these types; all when absent or empty. */
  types?: readonly EntryType[] | undefined;
  /** createdAt >= from */
  from?: Date | undefined;
  /** createdAt < to */
  to?: Date | undefined;
  /** Only entries with seq < beforeSeq (the cursor). */
  beforeSeq?: number | undefined;
  limit: number;
}

export interface LedgerStore {
  append(entry: NewEntry): Promise<AppendResult>;
  latest(accountId: AccountId): Promise<LedgerEntry | null>;
  findByKey(accountId: AccountId, idempotencyKey: string): Promise<LedgerEntry | null>;
  findById(accountId: AccountId, id: string): Promise<LedgerEntry | null>;
  findRefundOf(accountId: AccountId, chargeId: string): Promise<LedgerEntry | null>;
  /** Newest first (seq descending). */
  list(accountId: AccountId, query: EntryQuery): Promise<LedgerEntry[]>;
  /** Every entry of the account, one at a time, without loading them all. */
  stream(accountId: AccountId, order: "asc" | "desc"): AsyncIterable<LedgerEntry>;
  /** Sum of `amount` over entries of these types created at or after `since`. */
  sumAmounts(accountId: AccountId, types: readonly EntryType[], since: Date): Promise<number>;
  /** Every account that has at least one entry; for the operator's ledger check only. */
  accountIds(): AsyncIterable<AccountId>;
}

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

export interface Store {
  readonly kind: "memory" | "mongo";
  readonly accounts: AccountStore;
  readonly ledger: LedgerStore;
  readonly runs: ReviewRunStore;
  readonly pullRequests: PullRequestStore;
  readonly apiKeys: ApiKeyStore;
  /** Cheap round trip for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
