import type { Voice } from "../voice/voice.js";
import type { CheckRunReport, HostedPullRequest, PullRequestHost } from "./pull-request-host.js";

export interface CheckRunDeps {
  host: Pick<PullRequestHost, "upsertCheckRun">;
  voice: Pick<Voice, "checkRun">;
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
    at: { headSha: string; externalId: string },
    status: CheckRunReport["status"],
    texts: Texts,
    conclusion?: CheckRunReport["conclusion"],
  ): Promise<void> {
    try {
      await deps.host.upsertCheckRun(pr, { ...at, status, conclusion, ...texts });
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
  };
}
export type CheckRuns = ReturnType<typeof createCheckRuns>;

/** The commit a check run is on, and what it reports on. */
export interface CheckRunAt {
  headSha: string;
  externalId: string;
}
