import { UnrecoverableError } from "bullmq";
import type { ProbotOctokit } from "probot";
import { toAccountId } from "../accounts/types.js";
import type { ReviewJob } from "../queue/queues.js";
import {
  PermanentEngineError,
  type ChangedFile,
  type InlineComment,
  type ReviewEngine,
} from "../engine/engine.js";
import { prepareDiff } from "../engine/prepare-diff.js";
import type { FinishRun } from "./finish-run.js";
import { reviewBody, runMarker } from "./review-body.js";
import type { ReviewRun, ReviewRunStore } from "./types.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RunReviewDeps {
  runs: ReviewRunStore;
  engine: ReviewEngine;
  finishRun: FinishRun;
  octokitFor(installationId: number): Promise<Octokit>;
}

export type RunOutcome = "posted" | "superseded" | "skipped" | "not_queued";

/**
 * The worker's side of a review: fetch the pull request and its files, run the engine, post
 * one review. Throws to let BullMQ retry; on the last attempt, or for an error no retry can
 * fix, it first ends the run as failed, which refunds its charge.
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
    if (latest && latest.headSha !== run.headSha && latest.createdAt > run.createdAt) {
      if (["pending", "queued", "posted"].includes(latest.status)) {
        await deps.finishRun(run, "superseded", "a newer commit will be reviewed");
        return "superseded";
      }
    }

    try {
      return await review(run);
    } catch (err) {
      const permanent = isPermanent(err);
      if (permanent || finalAttempt) await deps.finishRun(run, "failed", describe(err));
      if (permanent) throw new UnrecoverableError(describe(err));
      throw err;
    }
  };

  async function review(run: ReviewRun): Promise<RunOutcome> {
    const octokit = await deps.octokitFor(run.installationId);
    const [owner, repo] = run.pr.repository.split("/") as [string, string];
    const target = { owner, repo, pull_number: run.pr.number };

    const { data: pull } = await octokit.rest.pulls.get(target);
    if (pull.state !== "open") {
      await deps.finishRun(run, "skipped", "the pull request was closed");
      return "skipped";
    }
    // An earlier attempt may have posted and died before recording it: never post twice.
    const marker = runMarker(run.runKey);
    const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
      ...target,
      per_page: 100,
    });
    if (!reviews.some((r) => r.body?.includes(marker))) {
      const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
        ...target,
        per_page: 100,
      });
      const diff = prepareDiff(files.map(toChangedFile));
      const result = await deps.engine.review({
        repository: run.pr.repository,
        number: run.pr.number,
        title: pull.title,
        body: pull.body ?? "",
        headSha: pull.head.sha,
        incremental: run.incremental,
        diff,
      });
      const body = reviewBody({
        summary: result.summary,
        skipped: diff.skipped,
        headSha: pull.head.sha,
        incremental: run.incremental,
        runKey: run.runKey,
      });
      await postReview(octokit, { ...target, commit_id: pull.head.sha }, body, result.comments);
    }
    await deps.runs.transition(run.accountId, run.runKey, ["queued"], "posted");
    return "posted";
  }
}
export type RunReview = ReturnType<typeof createRunReview>;

/**
 * Posts the review with its inline comments. GitHub refuses the whole review (422) when one
 * comment's line is not in the diff; then the comments go into the body instead.
 */
async function postReview(
  octokit: Octokit,
  target: { owner: string; repo: string; pull_number: number; commit_id: string },
  body: string,
  comments: InlineComment[],
): Promise<void> {
  const inline = comments.map((c) => ({
    path: c.path,
    line: c.line,
    side: "RIGHT" as const,
    body: c.body,
  }));
  try {
    await octokit.rest.pulls.createReview({ ...target, event: "COMMENT", body, comments: inline });
  } catch (err) {
    if (status(err) !== 422 || inline.length === 0) throw err;
    const listed = comments.map((c) => `- \`${c.path}:${c.line}\`: ${c.body}`).join("\n");
    await octokit.rest.pulls.createReview({
      ...target,
      event: "COMMENT",
      body: `${body}\n\n${listed}`,
    });
  }
}

function toChangedFile(f: {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string | undefined;
  previous_filename?: string | undefined;
}): ChangedFile {
  return {
    filename: f.filename,
    status: f.status as ChangedFile["status"],
    additions: f.additions,
    deletions: f.deletions,
    patch: f.patch,
    previousFilename: f.previous_filename,
  };
}

const status = (err: unknown): number | undefined =>
  typeof err === "object" &&
  err !== null &&
  typeof (err as { status?: unknown }).status === "number"
    ? (err as { status: number }).status
    : undefined;

/** Errors a retry cannot fix: the engine says so, or GitHub refuses us or lost the PR. */
function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentEngineError) return true;
  const s = status(err);
  return s === 401 || s === 403 || s === 404 || s === 410;
}

function describe(err: unknown): string {
  if (err instanceof PermanentEngineError) return "the AI provider refused the request";
  const s = status(err);
  if (s !== undefined) return `GitHub answered ${s}`;
  return "an internal error";
}
