import type { Ledger } from "../ledger/ledger.js";
import { DEFAULT_SETTINGS, type Account, type AccountId } from "../accounts/types.js";
import type { ReplyJob, ReviewJob } from "../queue/queues.js";
import type { AccountStore } from "../accounts/account-store.js";
import { pausedNoticeJob } from "./paused-notice.js";
import { pullRequestChargeKey, runChargeKey, runKeyOf } from "./charge-keys.js";
import type { PullRequestRef, PullRequestStore, ReviewRun, ReviewRunStore } from "./types.js";

export interface ReviewTrigger {
  accountId: AccountId;
  installationId: number;
  pr: PullRequestRef;
  headSha: string;
  url: string;
  /** "auto": a pull request event; "command": someone asked with `/jasper review`. */
  source: "auto" | "command";
  /** The `/jasper review` comment: one comment asks for one run, however often delivered. */
  commentId?: number | undefined;
  /** `/jasper full review`: the run reviews everything again, never as a re-review. */
  full?: boolean | undefined;
  /** The pull request's author (GitHub login), recorded on the charge for usage by author. */
  author?: string | undefined;
}

export type AcceptOutcome =
  | { status: "queued"; run: ReviewRun }
  | { status: "duplicate"; run: ReviewRun }
  /** Not enough credits; `noticeQueued` when this call queued the pull request's one notice. */
  | { status: "paused"; run: ReviewRun; noticeQueued: boolean }
  | { status: "skipped"; reason: "paused_on_pull_request" | "account_inactive" };

export interface AcceptDeps {
  runs: ReviewRunStore;
  pullRequests: Pick<PullRequestStore, "get" | "claimPausedNotice" | "nextRunSequence">;
  accounts: Pick<AccountStore, "get">;
  ledger: Pick<Ledger, "charge" | "refundOfCharge">;
  enqueueReview(job: ReviewJob, runKey: string): Promise<void>;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
  /**
   * The pull request's web page, for the charge's reference when the sweeper resumes a run (an
   * event's own URL is gone by then). Given, not built here: GitHub Enterprise has other hosts.
   */
  pullRequestUrl(repository: string, number: number): string;
}

/**
 * The head's attempt number: 0 for its first run. An automatic event for a head that has a run
 * already is a duplicate (null), unless that run was left pending; `/jasper review` asks for a
 * new run unless one is still in flight. `forHead` is newest first.
 */
function nextAttempt(forHead: ReviewRun[], source: ReviewTrigger["source"]): number | null {
  const newest = forHead[0];
  if (!newest) return 0;
  if (newest.status === "pending") return newest.attempt;
  if (source === "auto" || newest.status === "queued") return null;
  return newest.attempt + 1;
}

/**
 * Accepts a review into the queue: verify, decide, charge, enqueue. The database decides what
 * a duplicate is (the run's unique key, the ledger's idempotency key), never the queue. Every
 * step can be run again: a run left `pending` by a crash is resumed by the sweeper through
 * `resume`, and charges again only by the same key, which writes nothing twice.
 */
export function createAcceptReview(deps: AcceptDeps) {
  async function accept(trigger: ReviewTrigger): Promise<AcceptOutcome> {
    const { accountId, pr } = trigger;
    if (trigger.source === "auto") {
      const flags = await deps.pullRequests.get(accountId, pr.repositoryId, pr.number);
      if (flags.autoReviewPaused) return { status: "skipped", reason: "paused_on_pull_request" };
    }
    const prRuns = await deps.runs.listForPullRequest(accountId, pr.repositoryId, pr.number, 50);
    // A comment redelivered after the queue forgot its job: the database remembers it. Its run
    // left pending (the first try failed before paying, the reply job is retried) is paid now.
    const asked = trigger.commentId && prRuns.find((r) => r.commentId === trigger.commentId);
    if (asked) {
      return asked.status === "pending"
        ? pay(asked, trigger.url, trigger.author)
        : duplicate(asked);
    }
    const forHead = prRuns.filter((r) => r.headSha === trigger.headSha);
    const attempt = nextAttempt(forHead, trigger.source);
    if (attempt === null) return duplicate(forHead[0]!);
    const posted = prRuns.some((r) => r.status === "posted");
    const { created, run } = await deps.runs.claim({
      accountId,
      runKey: runKeyOf(pr, trigger.headSha, attempt),
      pr,
      headSha: trigger.headSha,
      attempt,
      sequence: await deps.pullRequests.nextRunSequence(accountId, pr),
      commentId: trigger.commentId ?? null,
      installationId: trigger.installationId,
      status: "pending",
      chargeKey: null,
      incremental: posted && !trigger.full,
      reason: null,
    });
    // Someone else claimed it: a duplicate, unless it was left half-done by a crash.
    if (!created && run.status !== "pending") return duplicate(run);
    return pay(run, trigger.url, trigger.author);
  }

  /**
   * A run that exists already. If it is `queued`, its job is added again: the job id makes
   * that a no-op while the job exists, and brings it back when it was lost (Redis down
   * between the charge and the add, the webhook answered 500, GitHub redelivered).
   */
  async function duplicate(run: ReviewRun): Promise<AcceptOutcome> {
    if (run.status === "queued") await enqueue(run);
    return { status: "duplicate", run };
  }

  const enqueue = (run: ReviewRun) =>
    deps.enqueueReview({ accountId: run.accountId, runKey: run.runKey }, run.runKey);

  /** Charges for the run if it needs paying for, then queues it; or pauses it at zero. */
  async function pay(run: ReviewRun, url: string, author?: string): Promise<AcceptOutcome> {
    // The webhook side refuses inactive accounts; this catches a run claimed just before the
    // app was suspended or removed, which the sweeper would otherwise resume and charge.
    const account = await deps.accounts.get(run.accountId);
    if (account && account.status !== "active") {
      await deps.runs.transition(run.accountId, run.runKey, ["pending"], "skipped", {
        reason: `account_${account.status}`,
      });
      return { status: "skipped", reason: "account_inactive" };
    }
    const chargeKey = await chargeFor(run, account, url, author);

    if (chargeKey === null) {
      const paused = await deps.runs.transition(run.accountId, run.runKey, ["pending"], "paused", {
        reason: "insufficient_credits",
      });
      const noticeQueued = await deps.pullRequests.claimPausedNotice(
        run.accountId,
        run.pr,
        run.installationId,
      );
      if (noticeQueued) {
        const { job, id } = pausedNoticeJob(run.accountId, run.installationId, run.pr);
        await deps.enqueueReply(job, id);
      }
      return { status: "paused", run: paused ?? run, noticeQueued };
    }

    const queued =
      (await deps.runs.transition(run.accountId, run.runKey, ["pending"], "queued", {
        chargeKey,
      })) ?? (await deps.runs.get(run.accountId, run.runKey));
    // Queued even when another caller moved it first: the job id makes a second add a no-op.
    await enqueue(run);
    return { status: "queued", run: queued ?? run };
  }

  /**
   * Charges the run under the account's policy; the charge's key, or null if it does not fit.
   * `account` as the caller read it (pay() reads it once for the status check too).
   */
  async function chargeFor(
    run: ReviewRun,
    account: Account | null,
    url: string,
    author?: string,
  ): Promise<string | null> {
    const policy = (account?.settings ?? DEFAULT_SETTINGS).reviewCharging;
    return policy === "review_run"
      ? chargeOnce(run, runChargeKey(run.runKey), url, author)
      : chargePullRequest(run, url, author);
  }

  /** The pull request's live charge: the first of its keys that was not refunded. */
  async function chargePullRequest(
    run: ReviewRun,
    url: string,
    author?: string,
  ): Promise<string | null> {
    for (let generation = 0; ; generation++) {
      const key = pullRequestChargeKey(run.pr, generation);
      const charged = await chargeOnce(run, key, url, author);
      if (charged === null) return null;
      if (!(await deps.ledger.refundOfCharge(run.accountId, key))) return key;
    }
  }

  /** The charge's key when it exists or was just made; null when credits do not cover it. */
  async function chargeOnce(
    run: ReviewRun,
    key: string,
    url: string,
    author?: string,
  ): Promise<string | null> {
    const result = await deps.ledger.charge(run.accountId, {
      action: "review",
      description: `Review of ${run.pr.repository}#${run.pr.number}`,
      reference: {
        kind: "pull_request",
        repository: run.pr.repository,
        number: run.pr.number,
        url,
        headSha: run.headSha,
        // Absent when the sweeper resumes a run (the event is gone): that usage is "unknown".
        ...(author ? { author } : {}),
      },
      idempotencyKey: key,
    });
    // Only a charge that exists pays; any refusal (credits, a budget) leaves the run unpaid.
    return result.status === "created" || result.status === "replayed" ? key : null;
  }

  return {
    accept,
    /**
     * For run-review, right before posting: the key of a live charge paying for this run, or
     * null when the credits do not cover one. Normally the run's own charge. Under the
     * per-PR policy another run of the PR may have ended and refunded the shared charge in
     * the moment this run was being paid (it could not see this run yet); then the PR is
     * charged again under the next key, so no review is ever posted unpaid.
     */
    async liveCharge(run: ReviewRun): Promise<string | null> {
      if (run.chargeKey && !(await deps.ledger.refundOfCharge(run.accountId, run.chargeKey))) {
        return run.chargeKey;
      }
      const key = await chargeFor(
        run,
        await deps.accounts.get(run.accountId),
        deps.pullRequestUrl(run.pr.repository, run.pr.number),
      );
      // A run's own key (per-run charging) is made once: charging it again replays the charge
      // that was refunded, which pays for nothing.
      if (key !== null && (await deps.ledger.refundOfCharge(run.accountId, key))) return null;
      return key;
    },
    /** The sweeper's way back into a run a crash left `pending`. */
    resume: (run: ReviewRun) => pay(run, deps.pullRequestUrl(run.pr.repository, run.pr.number)),
  };
}
export type AcceptReview = ReturnType<typeof createAcceptReview>;
