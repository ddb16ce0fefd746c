import type { Voice } from "../voice/voice.js";
import type { CheckRunReport, HostedPullRequest, PullRequestHost } from "./pull-request-host.js";
import type { ReviewRun, ReviewRunStore } from "./types.js";

export interface CheckRunDeps {
  host: Pick<PullRequestHost, "upsertCheckRun">;
  voice: Pick<Voice, "checkRun">;
  /**
   * Where a run's check run id is kept once written, so its later states are written to it
   * directly (no lookup by commit). Without it every write after the first looks it up.
   */
  runs?: Pick<ReviewRunStore, "setCheckRun">;
  /** A check run that could not be written: logged, never failing the review it reports on. */
  onError(err: unknown, pr: HostedPullRequest): void;
}

type Texts = ReturnType<Voice["checkRun"][keyof Voice["checkRun"]]>;

/**
 * The `Jasper` check run on the head commit, in the states the review goes through: queued
 * when accepted, in progress while the worker runs it, completed with its outcome. It only
 * reports: a check run GitHub does not take is logged and the review goes on.
 */
export function createCheckRuns(deps: CheckRunDeps) {
  async function show(
    pr: HostedPullRequest,
    at: CheckRunAt,
    status: CheckRunReport["status"],
    texts: Texts,
    conclusion?: CheckRunReport["conclusion"],
  ): Promise<void> {
    try {
      const { headSha, externalId, checkRunId, create } = at;
      const id = await deps.host.upsertCheckRun(pr, {
        headSha,
        externalId,
        checkRunId,
        create,
        status,
        conclusion,
        ...texts,
      });
      if (at.run && id !== checkRunId) {
        await deps.runs?.setCheckRun(at.run.accountId, at.run.runKey, id);
      }
    } catch (err) {
      deps.onError(err, pr);
    }
  }
  const { checkRun } = deps.voice;
  return {
    queued: (pr: HostedPullRequest, at: CheckRunAt, problems: readonly string[] = []) =>
      show(pr, at, "queued", checkRun.queued(problems)),
    inProgress: (pr: HostedPullRequest, at: CheckRunAt, problems: readonly string[] = []) =>
      show(pr, at, "in_progress", checkRun.inProgress(problems)),
    posted: (
      pr: HostedPullRequest,
      at: CheckRunAt,
      p: Parameters<Voice["checkRun"]["posted"]>[0] & { blockMerge: boolean },
    ) =>
      show(
        pr,
        at,
        "completed",
        checkRun.posted(p),
        // Findings make it neutral: shown, never blocking, unless the configuration asks.
        p.comments === 0 ? "success" : p.blockMerge ? "failure" : "neutral",
      ),
    postedBefore: (pr: HostedPullRequest, at: CheckRunAt) =>
      show(pr, at, "completed", checkRun.postedBefore(), "neutral"),
    paused: (pr: HostedPullRequest, at: CheckRunAt, problems: readonly string[] = []) =>
      show(pr, at, "completed", checkRun.paused(problems), "neutral"),
    overBudget: (
      pr: HostedPullRequest,
      at: CheckRunAt,
      stop: Parameters<Voice["checkRun"]["overBudget"]>[0],
      problems: readonly string[] = [],
    ) => show(pr, at, "completed", checkRun.overBudget(stop, problems), "neutral"),
    skipped: (
      pr: HostedPullRequest,
      at: CheckRunAt,
      reason: string,
      problems: readonly string[] = [],
    ) => show(pr, at, "completed", checkRun.skipped(reason, problems), "neutral"),
    failed: (
      pr: HostedPullRequest,
      at: CheckRunAt,
      f: { reason: string | null; refunded: boolean },
    ) => show(pr, at, "completed", checkRun.failed(f), "failure"),
    /** The pull request's GitHub event failed on every attempt (src/github/report-failed-delivery.ts). */
    deliveryFailed: (pr: HostedPullRequest, at: CheckRunAt) =>
      show(pr, at, "completed", checkRun.deliveryFailed(), "failure"),
  };
}
export type CheckRuns = ReturnType<typeof createCheckRuns>;

/** The commit a check run is on, and what it reports on. */
export interface CheckRunAt {
  headSha: string;
  externalId: string;
  /** The check run's id, when the run keeps one: written to without a lookup. */
  checkRunId?: number | null | undefined;
  /** The run has no check run yet: it is created without a lookup. */
  create?: boolean | undefined;
  /** The run whose record keeps the check run's id once it is written. */
  run?: Pick<ReviewRun, "accountId" | "runKey"> | undefined;
}

/**
 * Where a run's check run is: its own once it has one. `created`: the run was accepted just
 * now and is its head's first, so a check run it has not recorded does not exist yet (a
 * `/jasper review` of a head reviewed before updates that head's check run instead).
 */
export function checkRunOf(
  run: Pick<ReviewRun, "accountId" | "runKey" | "headSha" | "checkRunId" | "attempt">,
  { created = false } = {},
): CheckRunAt {
  return {
    headSha: run.headSha,
    externalId: run.runKey,
    checkRunId: run.checkRunId,
    create: created && run.checkRunId === null && run.attempt === 0,
    run: { accountId: run.accountId, runKey: run.runKey },
  };
}
