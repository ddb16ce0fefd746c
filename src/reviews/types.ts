import type { AccountId } from "../accounts/types.js";

/** Which pull request, within an account. */
export interface PullRequestRef {
  repositoryId: number;
  /** "owner/name", for links and messages. */
  repository: string;
  number: number;
}

/**
 * Where a review run stands. `pending`: claimed, not yet paid for and queued (a crash here is
 * picked up by the sweeper). `queued`: paid and on the queue. The rest are final.
 */
export type RunStatus =
  "pending" | "queued" | "posted" | "failed" | "superseded" | "paused" | "skipped";
export const FINAL_STATUSES: readonly RunStatus[] = [
  "posted",
  "failed",
  "superseded",
  "paused",
  "skipped",
];

/** One review of one head of one pull request: the unit the database deduplicates on. */
export interface ReviewRun {
  accountId: AccountId;
  /** `${repositoryId}:${number}:${headSha}:${attempt}`; unique per account. */
  runKey: string;
  pr: PullRequestRef;
  headSha: string;
  /** 0 for the head's first run; a `/jasper review` after a failure makes the next. */
  attempt: number;
  /**
   * The run's place among its pull request's runs (1, 2, ...; gaps allowed), from a per-PR
   * counter in the database: "newest" is the highest sequence, never a host's clock, which
   * can be skewed between hosts. Runs stored before it existed read as 0.
   */
  sequence: number;
  /** The `/jasper review` comment that asked for this run, so a redelivery asks only once. */
  commentId: number | null;
  /**
   * The pull request's author (GitHub login) when the run was claimed: whose budget it is
   * charged to, also when the sweeper resumes it after a crash. Null when not known.
   */
  author: string | null;
  /** `/jasper review --over-budget` by an admin: the run is not held to the budgets. */
  overBudget: boolean;
  installationId: number;
  status: RunStatus;
  /** The ledger charge that pays for this run (its own, or the pull request's). */
  chargeKey: string | null;
  /** A re-review of a pull request that already had a review (included by default). */
  incremental: boolean;
  /** Why it ended, for failed and skipped runs. */
  reason: string | null;
  /**
   * Set in the same write that ends a run whose charge may have to be refunded, cleared once
   * that is settled (refunded, or carried by another run). A crash in between leaves it set,
   * and the sweeper finishes the refund: a refund is never lost between two writes.
   */
  refundDue: boolean;
  /**
   * The `Jasper` check run written for this run (its id on GitHub), kept from its creation so
   * that its updates need no lookup by commit. Null until one is written (or for runs stored
   * before the field existed).
   */
  checkRunId: number | null;
  /**
   * When a worker last set out to post this run's review. Null: no attempt ever got that far,
   * so there is nothing of this run's on GitHub and the "already posted" check needs no
   * request. Undefined: stored before the field existed, unknown (GitHub is asked).
   */
  postAttemptedAt?: Date | null | undefined;
  /**
   * How many inline comments the posted review asked for (at least what it left on lines):
   * a re-review asks GitHub which of Jasper's comments still stand only when an earlier review
   * left some. Null until posted; undefined for runs stored before the field (unknown).
   */
  inlineComments?: number | null | undefined;
  createdAt: Date;
  updatedAt: Date;
}

/** Newer by the per-PR sequence; by creation for runs stored before it (both 0). */
export const isNewer = (a: ReviewRun, b: ReviewRun): boolean =>
  a.sequence !== b.sequence ? a.sequence > b.sequence : a.createdAt > b.createdAt;

export type NewRun = Omit<
  ReviewRun,
  | "createdAt"
  | "updatedAt"
  | "refundDue"
  | "author"
  | "overBudget"
  | "checkRunId"
  | "postAttemptedAt"
  | "inlineComments"
> &
  Partial<Pick<ReviewRun, "author" | "overBudget">>;
export type RunFields = Partial<
  Pick<ReviewRun, "chargeKey" | "reason" | "refundDue"> & {
    postAttemptedAt: Date;
    inlineComments: number;
  }
>;
/** What a run must also carry for a transition to move it: the charge key it has (null: none). */
export type RunCondition = Pick<ReviewRun, "chargeKey">;

export interface ReviewRunStore {
  /** Inserts the run unless its key exists; either way returns the stored run. */
  claim(run: NewRun): Promise<{ created: boolean; run: ReviewRun }>;
  get(accountId: AccountId, runKey: string): Promise<ReviewRun | null>;
  /**
   * Moves a run from one of `from` to `to` (with the given fields) in one atomic step; null
   * when the run is not in one of `from` any more, so two workers cannot both finish a run.
   * With `where`, the run must also carry that charge key (null: none) in the same step: a
   * parked run that was never charged is told apart from one whose charge was refunded.
   * A field given as undefined is left unchanged.
   */
  transition(
    accountId: AccountId,
    runKey: string,
    from: readonly RunStatus[],
    to: RunStatus,
    fields?: RunFields,
    where?: RunCondition,
  ): Promise<ReviewRun | null>;
  /**
   * Keeps the id of the check run written for the run, whatever its status (a check run is
   * written after the run moved on, too); a run that is gone is left alone.
   */
  setCheckRun(accountId: AccountId, runKey: string, checkRunId: number): Promise<void>;
  /** Clears `refundDue` (the refund is settled); the status stays as it is. */
  settleRefund(accountId: AccountId, runKey: string): Promise<void>;
  /**
   * Ended runs whose refund is still due, oldest first in the total order (updatedAt,
   * accountId, runKey), at most `limit` (the sweeper's second list); only `accountId`'s when
   * given (an operator's sweep of one account). `after` is the last run of the previous page:
   * the next page starts past it, so runs left due (waiting on a sibling, or failing) never
   * hide the ones behind them.
   */
  listRefundDue(
    limit: number,
    accountId?: AccountId,
    after?: Pick<ReviewRun, "updatedAt" | "accountId" | "runKey">,
  ): Promise<ReviewRun[]>;
  /** The pull request's newest run (highest sequence), to tell whether a run is superseded. */
  latestForPullRequest(
    accountId: AccountId,
    repositoryId: number,
    number: number,
  ): Promise<ReviewRun | null>;
  /** Whether any run paid by this charge got its review posted. */
  postedWithCharge(accountId: AccountId, chargeKey: string): Promise<boolean>;
  /** Runs of the pull request, newest first (for "is this the first review" and commands). */
  listForPullRequest(
    accountId: AccountId,
    repositoryId: number,
    number: number,
    limit: number,
  ): Promise<ReviewRun[]>;
  /**
   * The account's `paused` runs (no credits, or a budget had no room) updated at or after
   * `since`, newest first: by updatedAt, then runKey (unique per account) so that runs of one
   * millisecond keep one order. At most `limit`. The dashboard's "Reviews stopped" list.
   */
  listPaused(accountId: AccountId, since: Date, limit: number): Promise<ReviewRun[]>;
  /**
   * Unfinished runs not updated since `before`, oldest first: the sweeper's work list.
   * `after` is the last run of the previous page (its updatedAt and runKey), so a sweep can
   * page past runs that are only waiting instead of starting at the oldest every time.
   * `accountId`: only that account's runs (an operator's sweep or view of one account).
   */
  listStale(
    before: Date,
    limit: number,
    after?: { updatedAt: Date; accountId: AccountId; runKey: string },
    accountId?: AccountId,
  ): Promise<ReviewRun[]>;
}

/** What Jasper remembers about a pull request besides its runs. */
export interface PullRequestFlags {
  /** `/jasper pause`: no automatic reviews on this pull request until `/jasper resume`. */
  autoReviewPaused: boolean;
  /** The one "reviews are paused: out of credits" comment, once posted. */
  pausedNoticeCommentId: number | null;
}

export interface UnpostedNotice {
  accountId: AccountId;
  pr: PullRequestRef;
  installationId: number;
}

export interface PullRequestStore {
  get(accountId: AccountId, repositoryId: number, number: number): Promise<PullRequestFlags>;
  /** The next value of the pull request's run counter (1 first), one atomic increment. */
  nextRunSequence(accountId: AccountId, pr: PullRequestRef): Promise<number>;
  setAutoReviewPaused(accountId: AccountId, pr: PullRequestRef, paused: boolean): Promise<void>;
  /**
   * Claims the right to post the pull request's "reviews paused" comment: true for exactly
   * one caller ever, however many events race, so the comment is posted once.
   */
  claimPausedNotice(
    accountId: AccountId,
    pr: PullRequestRef,
    /** Kept with the claim, so that a notice whose queueing a crash lost can be sent later. */
    installationId?: number,
  ): Promise<boolean>;
  /**
   * Notices claimed between `claimedAfter` and `claimedBefore` whose comment was never
   * recorded as posted: the paused notice's outbox, drained by the sweep.
   */
  listUnpostedNotices(
    claimedBefore: Date,
    claimedAfter: Date,
    limit: number,
  ): Promise<UnpostedNotice[]>;
  setPausedNoticeComment(
    accountId: AccountId,
    pr: PullRequestRef,
    commentId: number,
  ): Promise<void>;
}
