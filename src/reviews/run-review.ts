import { toAccountId } from "../accounts/types.js";
import { PermanentError, httpStatusOf } from "../shared/errors.js";
import type { PullSnapshot, ReviewJob } from "./jobs.js";
import { RetryableEngineError, type ReviewEngine } from "../engine/engine.js";
import { parseGitattributes } from "../engine/linguist-attributes.js";
import { prepareDiff } from "../engine/prepare-diff.js";
import type { AcceptReview } from "./accept-review.js";
import { isPullRequestChargeKey } from "./charge-keys.js";
import type { FinishRun } from "./finish-run.js";
import type { PullRequestHost, PullRequestSnapshot } from "./pull-request-host.js";
import { checkRunOf, type CheckRuns } from "./check-runs.js";
import {
  excludedBy,
  instructionsFor,
  resolveRepositoryConfig,
} from "../repository-config/repository-config.js";
import type { TakeUp } from "./take-up.js";
import type { LearningStore } from "../learnings/learning-store.js";
import { bodyWithComments, coverageLine, reviewBody, runMarker } from "./review-body.js";
import { isNewer, type ReviewRun, type ReviewRunStore } from "./types.js";

export interface RunReviewDeps {
  runs: ReviewRunStore;
  engine: ReviewEngine;
  finishRun: FinishRun;
  acceptReview: Pick<AcceptReview, "liveCharge">;
  host: Pick<
    PullRequestHost,
    | "getPullRequest"
    | "hasReviewWithMarker"
    | "listChangedFiles"
    | "postReview"
    | "readConfig"
    | "readAttributes"
    | "listOwnInlineComments"
    | "changedSince"
  >;
  /** A parked run of GitHub's head, taken up again when a superseded run makes room. */
  takeUp: Pick<TakeUp, "reopen" | "pay" | "noticeLifted">;
  /** The commit's `Jasper` check run: in progress while reviewing, then the outcome. */
  checkRuns: Pick<CheckRuns, "inProgress" | "posted" | "postedBefore" | "paused" | "overBudget">;
  /** What the team taught the reviewer: the ones that apply go with every review. */
  learnings?: Pick<LearningStore, "list">;
}

/** The most learnings a review is given, newest first (the AI's prompt takes those that fit). */
export const APPLIED_LEARNINGS = 100;

export type RunOutcome = "posted" | "superseded" | "skipped" | "paused" | "not_queued";

/**
 * The worker's side of a review: fetch the pull request and its files, run the engine, post
 * one review. Throws to have the job retried; on the last attempt, or for an error no retry can
 * fix, it first ends the run as failed, which refunds its charge. An error no retry can fix is
 * thrown as PermanentError, so the worker does not try again.
 */
export function createRunReview(deps: RunReviewDeps) {
  return async function runReview(
    job: ReviewJob,
    { finalAttempt }: { finalAttempt: boolean },
  ): Promise<RunOutcome> {
    const run = await deps.runs.get(toAccountId(job.accountId), job.runKey);
    if (!run || run.status !== "queued") return "not_queued";

    // A burst of pushes: only the newest head gets reviewed.
    const latest = await deps.runs.latestForPullRequest(
      run.accountId,
      run.pr.repositoryId,
      run.pr.number,
    );
    // Under per-PR charging a run yields to a newer live run (they share one charge). A run
    // that paid for itself (per-run charging) is decided by GitHub's own head instead, in
    // review(): the order in which events arrived says nothing about which head is current,
    // and yielding to a newer run that was paused, or that is itself for an older head
    // delivered late, would leave the pull request with no review at all.
    if (
      !ownCharge(run) &&
      latest &&
      latest.headSha !== run.headSha &&
      isNewer(latest, run) &&
      ["pending", "queued", "posted"].includes(latest.status)
    ) {
      await deps.finishRun(run, "superseded", "a newer commit will be reviewed");
      return "superseded";
    }

    try {
      return await review(run, job.pull);
    } catch (err) {
      const permanent = isPermanent(err);
      if (permanent || finalAttempt) await deps.finishRun(run, "failed", describe(err));
      if (permanent) throw err instanceof PermanentError ? err : new PermanentError(describe(err));
      throw err;
    }
  };

  /**
   * A re-review reads what changed since the last posted review: the files changed between
   * that review's head and this one. Null (read everything) when there is no earlier head or
   * the host cannot compare them (force-pushed away, too many files, an error).
   */
  async function changedSinceLastReview(
    run: ReviewRun,
    pr: { installationId: number; repository: string; number: number },
    headSha: string,
  ): Promise<Set<string> | null> {
    const earlier = await deps.runs.listForPullRequest(
      run.accountId,
      run.pr.repositoryId,
      run.pr.number,
      50,
    );
    const last = earlier.find((r) => r.status === "posted" && r.headSha !== headSha);
    if (!last) return null;
    const files = await deps.host.changedSince(pr, last.headSha, headSha).catch(() => null);
    return files ? new Set(files) : null;
  }

  /**
   * The pull request as the review needs it: what the event said, carried by the job, or
   * GitHub's answer when the job carries nothing, or when the run paid for itself: then
   * GitHub's own head decides whether this head is still the one to review (and bill).
   */
  async function pullRequestOf(
    run: ReviewRun,
    pr: { installationId: number; repository: string; number: number },
    carried: PullSnapshot | undefined,
  ): Promise<Omit<PullRequestSnapshot, "url" | "author">> {
    if (!carried || ownCharge(run)) return deps.host.getPullRequest(pr);
    return {
      state: "open",
      title: carried.title,
      body: carried.body,
      headSha: run.headSha,
      changedFiles: carried.changedFiles,
    };
  }

  /**
   * Whether an earlier attempt may have posted this run's review and died before recording
   * it. The run's record answers when it can: no attempt ever set out to post (null), so
   * there is nothing to find. Only after such an attempt (or for a run stored before the
   * record kept it) is GitHub asked, by the marker the review carries.
   */
  async function postedBefore(
    run: ReviewRun,
    pr: { installationId: number; repository: string; number: number },
  ): Promise<boolean> {
    if (run.postAttemptedAt === null) return false;
    return deps.host.hasReviewWithMarker(pr, runMarker(run.runKey));
  }

  /**
   * The inline comments Jasper's earlier reviews of the pull request left that still stand.
   * Its records answer "none" when every earlier posted review is recorded with no inline
   * comment; otherwise GitHub is asked (it knows which lines they moved to, or outdated).
   */
  async function ownInlineComments(
    run: ReviewRun,
    pr: { installationId: number; repository: string; number: number },
  ): Promise<{ path: string; line: number }[]> {
    const earlier = await deps.runs.listForPullRequest(
      run.accountId,
      run.pr.repositoryId,
      run.pr.number,
      50,
    );
    const posted = earlier.filter((r) => r.status === "posted" && r.runKey !== run.runKey);
    // 50 runs back is the records' horizon: a longer history may hold older comments.
    const known = earlier.length < 50 && posted.every((r) => r.inlineComments === 0);
    if (known) return [];
    return deps.host.listOwnInlineComments(pr);
  }

  async function review(run: ReviewRun, carried: PullSnapshot | undefined): Promise<RunOutcome> {
    const pr = {
      installationId: run.installationId,
      repository: run.pr.repository,
      number: run.pr.number,
    };
    const pull = await pullRequestOf(run, pr, carried);
    if (pull.state !== "open") {
      await deps.finishRun(run, "skipped", "the pull request was closed");
      return "skipped";
    }
    // GitHub's head moved on before Jasper heard of it: a run that paid for itself must not
    // review (and bill for) a head another run will be charged for. The head's run may have
    // been parked by this very charge (a burst of pushes): its refund makes room, and the
    // head is taken up again (take-up.ts: reopened first, so no crash can lose it).
    if (ownCharge(run) && pull.headSha !== run.headSha) {
      const reopened = await deps.takeUp.reopen(run, pull.headSha);
      await deps.finishRun(run, "superseded", "a newer commit will be reviewed");
      if (reopened) await deps.takeUp.pay(reopened);
      return "superseded";
    }
    const at = checkRunOf(run);
    const [configRead, attributes] = await Promise.all([
      deps.host.readConfig(pr),
      deps.host.readAttributes(pr),
    ]);
    const resolved = resolveRepositoryConfig(configRead);
    // A .gitattributes GitHub would not give is shown with the configuration's problems: the
    // review goes on with linguist's built-in recognition alone.
    const config = attributes.error
      ? { ...resolved, problems: [...resolved.problems, attributes.error] }
      : resolved;
    await deps.checkRuns.inProgress(pr, at, config.problems);
    // An earlier attempt may have posted and died before recording it: never post twice.
    if (!(await postedBefore(run, pr))) {
      const exclude = config.values.exclude_paths;
      const changed = run.incremental ? await changedSinceLastReview(run, pr, pull.headSha) : null;
      const diff = prepareDiff(await deps.host.listChangedFiles(pr), {
        excluded: (path) => excludedBy(exclude, path),
        unchanged: changed ? (path) => !changed.has(path) : undefined,
        linguist: attributes.text === null ? undefined : parseGitattributes(attributes.text),
      });
      const instructions = instructionsFor(
        config,
        diff.files.map((f) => f.filename),
      );
      const learnings = deps.learnings
        ? await deps.learnings.list(run.accountId, {
            appliesTo: run.pr.repositoryId,
            limit: APPLIED_LEARNINGS,
          })
        : [];
      const result = await deps.engine.review({
        repository: run.pr.repository,
        number: run.pr.number,
        title: pull.title,
        body: pull.body,
        headSha: pull.headSha,
        incremental: run.incremental,
        diff,
        instructions,
        language: config.values.language,
        learnings: learnings.map(({ text, scope, rule, paths }) => ({ text, scope, rule, paths })),
      });
      // Never post unpaid: the charge this run carries may have been refunded by a sibling
      // run that could not see it yet (see AcceptReview.liveCharge).
      const live = await deps.acceptReview.liveCharge(run);
      if ("paused" in live) {
        await deps.runs.transition(run.accountId, run.runKey, ["queued"], "paused", {
          reason: live.reason,
        });
        if (live.paused === "over_budget") {
          await deps.checkRuns.overBudget(pr, at, live.report, config.problems);
        } else await deps.checkRuns.paused(pr, at, config.problems);
        return "paused";
      }
      const paidBy = live.key;
      if (paidBy !== run.chargeKey) {
        await deps.runs.transition(run.accountId, run.runKey, ["queued"], "queued", {
          chargeKey: paidBy,
        });
      }
      // A re-review does not repeat what an earlier review said on a line that did not change.
      let comments = result.comments;
      let repeats = 0;
      if (run.incremental && comments.length > 0) {
        const earlier = new Set(
          (await ownInlineComments(run, pr)).map((c) => `${c.path}\n${c.line}`),
        );
        comments = comments.filter((c) => !earlier.has(`${c.path}\n${c.line}`));
        repeats = result.comments.length - comments.length;
      }
      // Files the engine could not fit in the model's context are not reviewed either.
      const unread = new Set((result.unread ?? []).map((f) => f.filename));
      const read =
        unread.size === 0
          ? diff
          : {
              files: diff.files.filter((f) => !unread.has(f.filename)),
              skipped: [...diff.skipped, ...(result.unread ?? [])],
            };
      const coverage = coverageLine(read, pull.changedFiles);
      // Recorded before posting: a retry after a crash in between knows to look on GitHub.
      const marked = await deps.runs.transition(run.accountId, run.runKey, ["queued"], "queued", {
        postAttemptedAt: new Date(),
      });
      // No longer queued (another attempt posted it, or it ended and its charge was refunded):
      // nothing to post, and never unpaid.
      if (!marked) return "not_queued";
      const body = reviewBody({
        summary: result.summary,
        leftOut: result.leftOut,
        repeats,
        skipped: read.skipped,
        headSha: pull.headSha,
        incremental: run.incremental,
        runKey: run.runKey,
        coverage,
      });
      await deps.host.postReview(pr, {
        commitSha: pull.headSha,
        body,
        comments,
        fallbackBody: bodyWithComments(body, comments),
      });
      await deps.runs.transition(run.accountId, run.runKey, ["queued"], "posted", {
        inlineComments: comments.length,
      });
      await deps.takeUp.noticeLifted(run);
      await deps.checkRuns.posted(pr, at, {
        comments: comments.length,
        coverage,
        summary: result.summary,
        problems: config.problems,
        blockMerge: config.values.block_merge,
      });
      return "posted";
    }
    await deps.runs.transition(run.accountId, run.runKey, ["queued"], "posted");
    await deps.takeUp.noticeLifted(run);
    await deps.checkRuns.postedBefore(pr, at);
    return "posted";
  }
}
export type RunReview = ReturnType<typeof createRunReview>;

/** Paid by its own charge (per-run charging), not the pull request's shared one. */
const ownCharge = (run: ReviewRun): boolean =>
  run.chargeKey !== null && !isPullRequestChargeKey(run.chargeKey);

/** Errors a retry cannot fix: the engine says so, or the host refused us or lost the PR. */
function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError;
}

/** Why the run failed, as the failure comment shows it: decided by the error's class and code. */
function describe(err: unknown): string {
  if (err instanceof PermanentError) {
    return err.code === "engine_refused" ? "the AI provider refused the request" : err.message;
  }
  const status = httpStatusOf(err);
  if (status !== undefined) return `GitHub answered ${status}`;
  // The engine's retryable failures name the provider's status, never a key or a prompt.
  if (err instanceof RetryableEngineError) return err.message.slice(0, 200);
  return "an internal error";
}
