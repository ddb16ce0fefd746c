import type { AccountId } from "../accounts/types.js";
import type { ReviewStop } from "./pause-reasons.js";
import { jobKey } from "../shared/job-key.js";
import type { ReplyJob } from "./jobs.js";
import type { PullRequestRef, PullRequestStore, ReviewRun } from "./types.js";

/**
 * The "reviews are paused" comment's reply job and its id. One id per pull request, so that
 * however often it is queued (by the charge that found no credits, or by the redrive below),
 * the queue holds one job.
 */
export function pausedNoticeJob(
  accountId: AccountId,
  installationId: number,
  pr: PullRequestRef,
): { job: ReplyJob; id: string } {
  return {
    job: {
      kind: "paused_notice",
      accountId,
      installationId,
      repository: pr.repository,
      repositoryId: pr.repositoryId,
      number: pr.number,
    },
    id: `paused-${accountId}-${pr.repositoryId}-${pr.number}`,
  };
}

/**
 * The "a budget stopped this review" comment's reply job: one comment per pull request,
 * posted the first time and updated in place after (its marker), with the numbers of the stop.
 * One job per stopped head (a redelivery queues nothing more); the marker keeps the comment one.
 */
export function budgetNoticeJob(
  run: Pick<ReviewRun, "accountId" | "installationId" | "pr" | "headSha">,
  stop: ReviewStop,
  author: string | undefined,
  resetsOn: Date,
): { job: ReplyJob; id: string } {
  return {
    job: {
      kind: "budget_notice",
      accountId: run.accountId,
      installationId: run.installationId,
      repository: run.pr.repository,
      repositoryId: run.pr.repositoryId,
      number: run.pr.number,
      stop: { budget: stop.budget, cap: stop.cap, used: stop.used },
      ...(author ? { author } : {}),
      resetsOn: resetsOn.toISOString(),
    },
    id: jobKey("budget-notice", run.accountId, run.pr.repositoryId, run.pr.number, run.headSha),
  };
}

export interface NoticeRedriveDeps {
  pullRequests: Pick<PullRequestStore, "listUnpostedNotices">;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
}

export interface NoticeRedriveOptions {
  /** A notice claimed less than this ago may still be on its way; default 2 minutes. */
  graceMs?: number;
  /** Older claims are left alone (their pull request has long moved on); default a day. */
  windowMs?: number;
  now?: () => Date;
}

/**
 * The paused notice's outbox: a notice is claimed in the database (once per pull request)
 * and then queued; a crash in between would leave the pull request without it, and nobody
 * would ever try again, since the claim says it was done. The sweep queues every notice
 * claimed but never recorded as posted, again; the job id keeps that to one comment.
 */
export function createNoticeRedrive(deps: NoticeRedriveDeps, options: NoticeRedriveOptions = {}) {
  const graceMs = options.graceMs ?? 120_000;
  const windowMs = options.windowMs ?? 86_400_000;
  const now = options.now ?? (() => new Date());
  return async function redriveNotices(limit = 100): Promise<number> {
    const t = now().getTime();
    const unposted = await deps.pullRequests.listUnpostedNotices(
      new Date(t - graceMs),
      new Date(t - windowMs),
      limit,
    );
    for (const n of unposted) {
      const { job, id } = pausedNoticeJob(n.accountId, n.installationId, n.pr);
      await deps.enqueueReply(job, id);
    }
    return unposted.length;
  };
}
export type RedriveNotices = ReturnType<typeof createNoticeRedrive>;
