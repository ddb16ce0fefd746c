import type { AccountId } from "../../accounts/types.js";
import {
  FINAL_STATUSES,
  type NewRun,
  type PullRequestFlags,
  type PullRequestRef,
  type PullRequestStore,
  type ReviewRun,
  type ReviewRunStore,
  type RunCondition,
  type RunFields,
  type RunStatus,
  type UnpostedNotice,
} from "../../reviews/types.js";

const copyRun = (r: ReviewRun): ReviewRun => ({
  ...r,
  pr: { ...r.pr },
  createdAt: new Date(r.createdAt),
  updatedAt: new Date(r.updatedAt),
});

/** Review runs in memory; each method's check-and-write runs without an await in between. */
export class MemoryReviewRunStore implements ReviewRunStore {
  private readonly runs = new Map<string, ReviewRun>();
  /** Runs per pull request, oldest first: the per-PR lookups stay cheap as runs pile up. */
  private readonly byPullRequest = new Map<string, ReviewRun[]>();
  private clock = 0;

  async claim(input: NewRun): Promise<{ created: boolean; run: ReviewRun }> {
    const existing = this.runs.get(key(input.accountId, input.runKey));
    if (existing) return { created: false, run: copyRun(existing) };
    const now = this.now();
    const run: ReviewRun = {
      ...input,
      pr: { ...input.pr },
      author: input.author ?? null,
      overBudget: input.overBudget ?? false,
      refundDue: false,
      checkRunId: null,
      postAttemptedAt: null,
      inlineComments: null,
      createdAt: now,
      updatedAt: now,
    };
    this.runs.set(key(input.accountId, input.runKey), run);
    const prKey = pullRequestKey(input.accountId, input.pr.repositoryId, input.pr.number);
    this.byPullRequest.set(prKey, [...(this.byPullRequest.get(prKey) ?? []), run]);
    return { created: true, run: copyRun(run) };
  }

  async get(accountId: AccountId, runKey: string): Promise<ReviewRun | null> {
    const run = this.runs.get(key(accountId, runKey));
    return run ? copyRun(run) : null;
  }

  async transition(
    accountId: AccountId,
    runKey: string,
    from: readonly RunStatus[],
    to: RunStatus,
    fields: RunFields = {},
    where?: RunCondition,
  ): Promise<ReviewRun | null> {
    const run = this.runs.get(key(accountId, runKey));
    if (!run || !from.includes(run.status)) return null;
    if (where && run.chargeKey !== where.chargeKey) return null;
    // Fields given as undefined are left as they are (as a MongoDB $set of them would).
    for (const [k, v] of Object.entries(fields))
      if (v !== undefined) Object.assign(run, { [k]: v });
    Object.assign(run, { status: to, updatedAt: this.now() });
    return copyRun(run);
  }

  async setCheckRun(accountId: AccountId, runKey: string, checkRunId: number): Promise<void> {
    const run = this.runs.get(key(accountId, runKey));
    if (run) run.checkRunId = checkRunId;
  }

  async settleRefund(accountId: AccountId, runKey: string): Promise<void> {
    const run = this.runs.get(key(accountId, runKey));
    if (run) run.refundDue = false;
  }

  async listRefundDue(
    limit: number,
    accountId?: AccountId,
    after?: StaleKey,
  ): Promise<ReviewRun[]> {
    return [...this.runs.values()]
      .filter((r) => r.refundDue && FINAL_STATUSES.includes(r.status))
      .filter((r) => accountId === undefined || r.accountId === accountId)
      .filter((r) => !after || runOrder(r, after) > 0)
      .sort(runOrder)
      .slice(0, Math.max(limit, 0))
      .map(copyRun);
  }

  async latestForPullRequest(accountId: AccountId, repositoryId: number, number: number) {
    return (await this.listForPullRequest(accountId, repositoryId, number, 1))[0] ?? null;
  }

  async postedWithCharge(accountId: AccountId, chargeKey: string): Promise<boolean> {
    for (const run of this.runs.values()) {
      if (run.accountId === accountId && run.chargeKey === chargeKey && run.status === "posted") {
        return true;
      }
    }
    return false;
  }

  async listForPullRequest(
    accountId: AccountId,
    repositoryId: number,
    number: number,
    limit: number,
  ): Promise<ReviewRun[]> {
    const runs = this.byPullRequest.get(pullRequestKey(accountId, repositoryId, number)) ?? [];
    // Newest first: by sequence, then by creation (runs stored without a sequence read as 0).
    return [...runs]
      .reverse()
      .sort((a, b) => b.sequence - a.sequence)
      .slice(0, Math.max(limit, 0))
      .map(copyRun);
  }

  async listPaused(accountId: AccountId, since: Date, limit: number): Promise<ReviewRun[]> {
    // The mongo store's order: updatedAt descending, then runKey descending.
    return [...this.runs.values()]
      .filter((r) => r.accountId === accountId && r.status === "paused" && r.updatedAt >= since)
      .sort(
        (a, b) =>
          b.updatedAt.getTime() - a.updatedAt.getTime() ||
          (a.runKey < b.runKey ? 1 : a.runKey > b.runKey ? -1 : 0),
      )
      .slice(0, Math.max(limit, 0))
      .map(copyRun);
  }

  async listStale(
    before: Date,
    limit: number,
    after?: { updatedAt: Date; accountId: AccountId; runKey: string },
    accountId?: AccountId,
  ): Promise<ReviewRun[]> {
    return [...this.runs.values()]
      .filter((r) => !FINAL_STATUSES.includes(r.status) && r.updatedAt < before)
      .filter((r) => accountId === undefined || r.accountId === accountId)
      .filter((r) => !after || runOrder(r, after) > 0)
      .sort(runOrder)
      .slice(0, Math.max(limit, 0))
      .map(copyRun);
  }

  /** Strictly increasing, so "newest" is well defined even within one millisecond. */
  private now(): Date {
    this.clock = Math.max(this.clock + 1, Date.now());
    return new Date(this.clock);
  }
}

type StaleKey = Pick<ReviewRun, "updatedAt" | "accountId" | "runKey">;

/** The same total order as the mongo store's pages: updatedAt, then (accountId, runKey). */
const runOrder = (a: StaleKey, b: StaleKey): number =>
  a.updatedAt.getTime() - b.updatedAt.getTime() ||
  a.accountId - b.accountId ||
  (a.runKey < b.runKey ? -1 : a.runKey > b.runKey ? 1 : 0);

interface Flags extends PullRequestFlags {
  noticeClaimed: boolean;
  runCounter: number;
  noticeClaimedAt: Date | null;
  installationId: number | null;
  accountId: AccountId;
  pr: PullRequestRef;
}

export class MemoryPullRequestStore implements PullRequestStore {
  private readonly prs = new Map<string, Flags>();

  async get(accountId: AccountId, repositoryId: number, number: number): Promise<PullRequestFlags> {
    const flags = this.prs.get(`${accountId}:${repositoryId}:${number}`);
    return {
      autoReviewPaused: flags?.autoReviewPaused ?? false,
      pausedNoticeCommentId: flags?.pausedNoticeCommentId ?? null,
    };
  }

  async nextRunSequence(accountId: AccountId, pr: PullRequestRef): Promise<number> {
    return ++this.flags(accountId, pr).runCounter;
  }

  async setAutoReviewPaused(accountId: AccountId, pr: PullRequestRef, paused: boolean) {
    this.flags(accountId, pr).autoReviewPaused = paused;
  }

  async claimPausedNotice(
    accountId: AccountId,
    pr: PullRequestRef,
    installationId?: number,
  ): Promise<boolean> {
    const flags = this.flags(accountId, pr);
    if (flags.noticeClaimed) return false;
    flags.noticeClaimed = true;
    flags.noticeClaimedAt = new Date();
    flags.installationId = installationId ?? null;
    return true;
  }

  async listUnpostedNotices(
    claimedBefore: Date,
    claimedAfter: Date,
    limit: number,
  ): Promise<UnpostedNotice[]> {
    return [...this.prs.values()]
      .filter(
        (f) =>
          f.noticeClaimed &&
          f.pausedNoticeCommentId === null &&
          f.installationId !== null &&
          f.noticeClaimedAt !== null &&
          f.noticeClaimedAt < claimedBefore &&
          f.noticeClaimedAt >= claimedAfter,
      )
      .sort((a, b) => a.noticeClaimedAt!.getTime() - b.noticeClaimedAt!.getTime())
      .slice(0, Math.max(limit, 0))
      .map((f) => ({ accountId: f.accountId, pr: { ...f.pr }, installationId: f.installationId! }));
  }

  async setPausedNoticeComment(accountId: AccountId, pr: PullRequestRef, commentId: number) {
    this.flags(accountId, pr).pausedNoticeCommentId = commentId;
  }

  private flags(accountId: AccountId, pr: PullRequestRef): Flags {
    const k = `${accountId}:${pr.repositoryId}:${pr.number}`;
    let flags = this.prs.get(k);
    if (!flags) {
      flags = {
        autoReviewPaused: false,
        pausedNoticeCommentId: null,
        noticeClaimed: false,
        runCounter: 0,
        noticeClaimedAt: null,
        installationId: null,
        accountId,
        pr: { ...pr },
      };
      this.prs.set(k, flags);
    }
    return flags;
  }
}

const key = (accountId: AccountId, runKey: string) => `${accountId}|${runKey}`;
const pullRequestKey = (accountId: AccountId, repositoryId: number, number: number) =>
  `${accountId}|${repositoryId}|${number}`;
