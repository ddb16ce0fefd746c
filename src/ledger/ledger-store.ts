/**
 * The ledger's persistence port. The ledger's rules (spend order, month roll, idempotency)
 * live in this folder and are the same whatever stores the data; an implementation
 * (src/store/memory, src/store/mongo) only has to keep these promises, which test/contract
 * checks against every implementation available:
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
import type { AccountId } from "../accounts/types.js";
import type { EntryUse } from "./entry-use.js";
import type { UseCounter } from "./month-use.js";
import type { EntryType, LedgerEntry, SpentTotal } from "./types.js";
import type { UsageGroup, UsageWindow } from "./usage-groups.js";

export type NewEntry = Omit<LedgerEntry, "id">;

/** Which pull request: its repository's name (and GitHub id, when known) and number. */
export interface PullRequestKey {
  repository: string;
  repositoryId?: number | undefined;
  number: number;
}

/** Whether an entry is about this pull request (LedgerStore.pullRequestEntries). */
export function isAboutPullRequest(
  e: Pick<LedgerEntry, "reference">,
  pull: PullRequestKey,
): boolean {
  const ref = e.reference;
  if (ref?.kind !== "pull_request" || ref.number !== pull.number) return false;
  if (pull.repositoryId !== undefined && ref.repositoryId !== undefined) {
    return ref.repositoryId === pull.repositoryId;
  }
  return ref.repository.toLowerCase() === pull.repository.toLowerCase();
}

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

/** An entry's month use and where it sits in the log: what the use lookups return. */
export interface UseRecord {
  seq: number;
  monthUse: EntryUse | null;
}

/** An entry's running net spend (spent.ts) and its seq: what spentAt() returns. */
export interface SpentRecord {
  seq: number;
  spent: SpentTotal | null;
}

/** Entries with from <= seq <= to. */
export interface SeqRange {
  from: number;
  to: number;
}

/**
 * What a use lookup asks for: the counter of a repository (its counter key) or an author (the
 * login, lower-cased), or a budget warning (`account`, `repository:<key>`, `author:<login>`),
 * warned or taken back.
 */
export type UseTouch = { repository: string } | { author: string } | { warning: string };

/**
 * What listRows() and streamRows() read of an entry: all of it but its month use and its lot
 * changes, and of the lots after it at least the lot it granted (a bonus's expiry,
 * lots.ts grantExpiry), so a row's size does not grow with the month or the lots. For lists,
 * exports and reports; the memory store returns whole entries, which are rows too.
 */
export type EntryRow = Omit<LedgerEntry, "monthUse" | "lotDeltas">;

/** The filters of a whole-history read (the CSV export): EntryQuery without paging. */
export type EntryFilter = Omit<EntryQuery, "beforeSeq" | "limit">;

export interface LedgerStore {
  append(entry: NewEntry): Promise<AppendResult>;
  latest(accountId: AccountId): Promise<LedgerEntry | null>;
  findByKey(accountId: AccountId, idempotencyKey: string): Promise<LedgerEntry | null>;
  findById(accountId: AccountId, id: string): Promise<LedgerEntry | null>;
  findRefundOf(accountId: AccountId, chargeId: string): Promise<LedgerEntry | null>;
  /**
   * findByKey() reading a row (EntryRow: no month use, no lot changes): for callers that ask
   * whether a key was written and what it moved, not what a next entry is built from.
   * Majority, as findByKey.
   */
  rowByKey(accountId: AccountId, idempotencyKey: string): Promise<EntryRow | null>;
  /** findRefundOf() reading a row (EntryRow): whether a charge was refunded, and by what. */
  refundRowOf(accountId: AccountId, chargeId: string): Promise<EntryRow | null>;
  /** Newest first (seq descending). */
  list(accountId: AccountId, query: EntryQuery): Promise<LedgerEntry[]>;
  /**
   * Every entry of the account that passes `filter` (all when absent), one at a time, without
   * loading them all. The filter is applied by the database, not by the caller. The reader may
   * take as long as it likes (a slow CSV download), so nothing that expires while idle, such
   * as a database cursor, may be held open across the whole stream.
   */
  stream(
    accountId: AccountId,
    order: "asc" | "desc",
    filter?: EntryFilter,
  ): AsyncIterable<LedgerEntry>;
  /** list() reading rows (EntryRow): the history page. */
  listRows(accountId: AccountId, query: EntryQuery): Promise<EntryRow[]>;
  /** stream() reading rows (EntryRow): the CSV export and the month's reports. */
  streamRows(
    accountId: AccountId,
    order: "asc" | "desc",
    filter?: EntryFilter,
  ): AsyncIterable<EntryRow>;
  /**
   * The running net spend (spent.ts) of the newest entry, or with `before`, of the newest entry
   * created before it (by createdAt); null when there is none. Only seq and the total are read:
   * the billing summary and the runway subtract two of them instead of summing a window.
   */
  spentAt(accountId: AccountId, before?: Date): Promise<SpentRecord | null>;
  /** Sum of `amount` over entries of these types created at or after `since`. */
  sumAmounts(accountId: AccountId, types: readonly EntryType[], since: Date): Promise<number>;
  /**
   * The entries about one pull request created at or after `since`, oldest first: its charges
   * and refunds this month, for the cap on runs per pull request. Read like latest(): a charge
   * is decided on it. With `repositoryId`, the entries with that id, and those without an id
   * (written before ids were kept) whose repository is `repository` compared without case:
   * a renamed repository keeps its pull requests, and another that takes the old name does not
   * get them. Without it, every entry whose repository is `repository`.
   */
  pullRequestEntries(
    accountId: AccountId,
    pull: PullRequestKey,
    since: Date,
  ): Promise<LedgerEntry[]>;
  /**
   * Debits (amount < 0) created at or after `since` that left their balance at or below
   * `maxBalanceAfter`, oldest first, across every account: the entries that may have crossed
   * a low-balance level, for the alert redrive (an alert whose queueing a crash lost).
   */
  lowDebitsSince(since: Date, maxBalanceAfter: number, limit: number): Promise<LedgerEntry[]>;
  /**
   * The newest constant-size entry (its month use has `from`, entry-use.ts) in `range` that
   * carries this counter or warning, or null. Read like latest() (majority): a charge is
   * decided on it. Entries written before constant-size entries are never returned.
   */
  latestTouching(accountId: AccountId, range: SeqRange, touch: UseTouch): Promise<UseRecord | null>;
  /**
   * The newest constant-size entry of month `period` (its month use's) with seq <= to, whatever
   * it carries, or null. Majority, as latestTouching: a charge after a whole-month entry asks
   * whether constant-size entries of its month came before it (then a previous release wrote
   * it from one entry's few counters, and it is not the whole month).
   */
  latestConstantSize(accountId: AccountId, period: string, to: number): Promise<UseRecord | null>;
  /**
   * The keys of the repository counters that constant-size entries in `range` carry under this
   * name (`name`, lower-cased): where a charge counted by name, from before ids were kept,
   * finds the id its counter was folded into. Majority, as latestTouching.
   */
  repositoriesNamed(accountId: AccountId, range: SeqRange, name: string): Promise<string[]>;
  /**
   * Every repository (`repositories`) or author (`authors`) counter that constant-size entries
   * in `range` carry, each as the newest of them carries it (a counter emptied there: zero),
   * in no particular order. For people reading the month's use (GET /budgets): one indexed
   * read per counter, so its cost follows how many repositories or authors the month charged,
   * not how many charges it holds. Not a read a charge is decided on (no majority).
   */
  latestCounters(
    accountId: AccountId,
    range: SeqRange,
    kind: "repositories" | "authors",
  ): Promise<UseCounter[]>;
  /** The month use of the entry with this seq, or null when there is none. Majority. */
  useAt(accountId: AccountId, seq: number): Promise<UseRecord | null>;
  /**
   * The month use of every entry with seq >= from, oldest first, without the rest of the
   * entries: what this month's use is assembled from (entry-use.ts, monthUseView).
   */
  useSince(accountId: AccountId, from: number): AsyncIterable<UseRecord>;
  /**
   * The usage and refund entries created in the window, grouped by their reference
   * (usage-groups.ts, groupUsageRows), in no particular order: one row per group, so what
   * is read back follows how many repositories, authors and pull requests the window
   * charged, not how many charges it holds. For people reading usage (the usage report, the
   * runs of each pull request); not a read a charge is decided on.
   */
  usageGroups(accountId: AccountId, window: UsageWindow): Promise<UsageGroup[]>;
  /**
   * Every account that has at least one entry, each once, in id order; for the operators'
   * ledger check (their account list reads the accounts' listing copies instead). Read a
   * little at a time: nothing held open between ids.
   */
  accountIds(): AsyncIterable<AccountId>;
}
