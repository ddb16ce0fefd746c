import { toAccountId } from "../accounts/types.js";
import type { ReplyJob } from "../reviews/jobs.js";
import { neutralizeCommands } from "../commands/neutralize-commands.js";
import type { ReviewEngine } from "../engine/engine.js";
import type { PullRequestHost } from "../reviews/pull-request-host.js";
import type { PullRequestStore, ReviewRun, ReviewRunStore } from "../reviews/types.js";
import { TAKEN_UP } from "../reviews/pause-reasons.js";
import type { CheckRuns } from "../reviews/check-runs.js";
import { prepareDiff } from "../engine/prepare-diff.js";
import { addedLines } from "../engine/parse-patch.js";
import { excludedBy, resolveRepositoryConfig } from "../repository-config/repository-config.js";
import {
  BUDGET_NOTICE_MARKER,
  PAUSED_NOTICE_MARKER,
  SUMMARY_MARKER,
  type Voice,
} from "../voice/voice.js";
import type { AcceptReview } from "../reviews/accept-review.js";
import { showAcceptOutcome } from "../reviews/show-outcome.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { LearnCommand } from "./learn-command.js";

export interface PostReplyDeps {
  pullRequests: Pick<PullRequestStore, "setPausedNoticeComment">;
  /** A stop notice is posted only while it is true (see `liftedBy`). */
  runs: Pick<ReviewRunStore, "latestForPullRequest">;
  engine: ReviewEngine;
  acceptReview: Pick<AcceptReview, "accept">;
  /** A review asked for by command shows on the commit like an automatic one. */
  checkRuns?: Pick<CheckRuns, "queued" | "paused" | "overBudget" | "skipped">;
  /** Records an admin's `review --over-budget` in the account's audit log. */
  audit?: Pick<AuditLog, "record">;
  /** Records a learning (`/jasper learn`, `don't flag this`) and says what was recorded. */
  learn?: LearnCommand;
  host: Pick<
    PullRequestHost,
    | "getPullRequest"
    | "postComment"
    | "updateComment"
    | "findCommentWithMarker"
    | "listChangedFiles"
    | "readConfig"
    | "replyInThread"
    | "listConversation"
  >;
  voice: Pick<
    Voice,
    | "reviewAlreadyQueued"
    | "noCreditsForReview"
    | "chatAnswer"
    | "pausedNotice"
    | "budgetNotice"
    | "stopLifted"
    | "walkthrough"
    | "effectiveConfig"
  >;
}

/** The most comments of the conversation a chat answer is given. */
const CONVERSATION_LIMIT = 20;

/** Names the added lines declare (functions, classes, types, constants), first seen first. */
function declaredNames(patch: string): string[] {
  const names = new Set<string>();
  const declaration =
    /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum|const|let|var|def|func|fn|struct)\s+([A-Za-z_$][\w$]*)/;
  for (const { text } of addedLines(patch)) {
    const m = declaration.exec(text);
    if (m?.[1]) names.add(m[1]);
  }
  return [...names];
}

/** The replies worker: posts what the webhook side decided to say. */
export type PostReply = ReturnType<typeof createPostReply>;

type NoticeJob = Extract<ReplyJob, { kind: "paused_notice" | "budget_notice" | "stop_lifted" }>;

export function createPostReply(deps: PostReplyDeps) {
  const { host, voice } = deps;

  /**
   * The pull request's newest run when its review goes ahead (queued or posted): then no stop
   * notice holds any more, whatever stopped an earlier run. Null while the newest is stopped.
   */
  async function liftedBy(job: NoticeJob): Promise<ReviewRun | null> {
    const latest = await deps.runs.latestForPullRequest(
      toAccountId(job.accountId),
      job.repositoryId,
      job.number,
    );
    return latest && (latest.status === "queued" || latest.status === "posted") ? latest : null;
  }

  /** Edits the notice with `marker` to say its stop is over, if it exists; its id, or null. */
  async function lift(
    target: { installationId: number; repository: string; number: number },
    marker: string,
    lifted: ReviewRun,
  ): Promise<number | null> {
    const existing = await host.findCommentWithMarker(target, marker);
    if (existing === null) return null;
    const takenUp = lifted.reason === TAKEN_UP;
    const body = voice.stopLifted({ headSha: lifted.headSha, takenUp, marker });
    await host.updateComment(target, existing, body);
    return existing;
  }

  /**
   * Posts (or edits) a stop notice unless the stop is already over, and looks again after
   * writing: a review that went ahead meanwhile found no notice to correct, so this one
   * corrects itself. Returns the comment's id, or null when nothing was posted.
   */
  async function postStopNotice(
    job: NoticeJob,
    target: { installationId: number; repository: string; number: number },
    marker: string,
    body: string,
  ): Promise<number | null> {
    if (await liftedBy(job)) return null;
    const existing = await host.findCommentWithMarker(target, marker);
    const id =
      existing === null
        ? await host.postComment(target, body)
        : await host.updateComment(target, existing, body);
    const lifted = await liftedBy(job);
    if (lifted) {
      await host.updateComment(
        target,
        id,
        voice.stopLifted({ headSha: lifted.headSha, takenUp: lifted.reason === TAKEN_UP, marker }),
      );
    }
    return id;
  }

  return async function postReply(job: ReplyJob): Promise<void> {
    const target = {
      installationId: job.installationId,
      repository: job.repository,
      number: job.number,
    };

    switch (job.kind) {
      case "comment":
        if (job.inReplyTo)
          await host.replyInThread(target, job.inReplyTo, neutralizeCommands(job.body));
        else await host.postComment(target, neutralizeCommands(job.body));
        return;
      case "review_request": {
        const pull = await host.getPullRequest(target);
        const accountId = toAccountId(job.accountId);
        const outcome = await deps.acceptReview.accept({
          accountId,
          installationId: job.installationId,
          pr: { repositoryId: job.repositoryId, repository: job.repository, number: job.number },
          headSha: pull.headSha,
          url: pull.url,
          source: "command",
          commentId: job.commentId,
          full: job.full,
          author: pull.author,
          overBudget: job.overBudgetBy !== undefined,
          // Just read: the review job carries it, so the worker does not read it again.
          pull: { title: pull.title, body: pull.body, changedFiles: pull.changedFiles },
        });
        if (deps.checkRuns) {
          const place = {
            headSha: pull.headSha,
            externalId: `pr-${job.repositoryId}-${job.number}`,
          };
          await showAcceptOutcome(deps.checkRuns, target, place, outcome, { author: pull.author });
        }
        // Also when the run is this comment's already: a retry after the first try queued it
        // but died before recording, so the override is never left out of the audit log.
        const ours =
          outcome.status === "queued" ||
          (outcome.status === "duplicate" && outcome.run.commentId === (job.commentId ?? null));
        if (job.overBudgetBy && ours) {
          // Keyed by the comment: a retried job records the override once.
          await deps.audit?.record({
            accountId,
            actor: { kind: "github_user", ...job.overBudgetBy },
            action: "budget_override",
            interface: "webhook",
            details: { repository: job.repository, number: job.number, run: outcome.run.runKey },
            idempotencyKey: `budget-override:${job.repositoryId}:${job.commentId ?? outcome.run.runKey}`,
          });
        }
        const answer =
          outcome.status === "duplicate"
            ? voice.reviewAlreadyQueued(pull.headSha)
            : outcome.status === "paused" && !outcome.noticeQueued
              ? voice.noCreditsForReview()
              : null;
        if (answer) await host.postComment(target, answer);
        return;
      }
      case "chat": {
        // The code: the pull request's diff under the review's budget and the repository's
        // exclude_paths; and the conversation so far (the thread's, when asked in one).
        // A context GitHub does not give is left out: the answer says what it could not see
        // rather than the question going unanswered.
        const [files, config, conversation] = await Promise.all([
          host.listChangedFiles(target).catch(() => undefined),
          host.readConfig(target).then(resolveRepositoryConfig),
          host
            .listConversation(target, {
              rootCommentId: job.thread?.rootCommentId,
              limit: CONVERSATION_LIMIT,
            })
            .catch(() => undefined),
        ]);
        const exclude = config.values.exclude_paths;
        const answer = await deps.engine.chat({
          repository: job.repository,
          number: job.number,
          title: job.title,
          question: job.question,
          author: job.author,
          diff: files && prepareDiff(files, { excluded: (path) => excludedBy(exclude, path) }),
          conversation,
          thread: job.thread
            ? { path: job.thread.path, line: job.thread.line, hunk: job.thread.hunk }
            : undefined,
        });
        const body = voice.chatAnswer(job.author, answer);
        if (job.thread) await host.replyInThread(target, job.thread.rootCommentId, body);
        else await host.postComment(target, body);
        return;
      }
      case "summary": {
        const [pull, files, config] = await Promise.all([
          host.getPullRequest(target),
          host.listChangedFiles(target),
          host.readConfig(target).then(resolveRepositoryConfig),
        ]);
        const exclude = config.values.exclude_paths;
        const diff = prepareDiff(files, { excluded: (path) => excludedBy(exclude, path) });
        const describes = await deps.engine.walkthrough?.({
          repository: job.repository,
          number: job.number,
          title: pull.title,
          body: pull.body,
          headSha: pull.headSha,
          incremental: false,
          diff,
        });
        const body = voice.walkthrough({
          describes,
          number: job.number,
          title: pull.title,
          headSha: pull.headSha,
          files: diff.files,
          skipped: diff.skipped,
          declares: new Map(diff.files.map((f) => [f.filename, declaredNames(f.patch ?? "")])),
        });
        const existing = await host.findCommentWithMarker(target, SUMMARY_MARKER);
        if (existing === null) await host.postComment(target, body);
        else await host.updateComment(target, existing, body);
        return;
      }
      case "learn": {
        if (!deps.learn) throw new Error("no learnings wired for the learn job");
        const body = await deps.learn(job);
        if (job.thread) await host.replyInThread(target, job.thread.rootCommentId, body);
        else await host.postComment(target, body);
        return;
      }
      case "config": {
        const config = resolveRepositoryConfig(await host.readConfig(target));
        await host.postComment(target, voice.effectiveConfig(job.repository, config));
        return;
      }
      case "budget_notice": {
        const body = voice.budgetNotice({
          ...job.stop,
          repository: job.repository,
          author: job.author,
          resetsOn: new Date(job.resetsOn),
        });
        await postStopNotice(job, target, BUDGET_NOTICE_MARKER, body);
        return;
      }
      case "paused_notice": {
        // Claimed once in the database; the marker catches a retry after a post whose id we
        // never stored, so the notice is edited rather than posted twice. Not posted at all
        // when the review went ahead first: the claim stays unrecorded, and the redrive's
        // add of this job id is a no-op while the completed job is kept.
        const id = await postStopNotice(job, target, PAUSED_NOTICE_MARKER, voice.pausedNotice());
        if (id === null) return;
        await deps.pullRequests.setPausedNoticeComment(
          toAccountId(job.accountId),
          { repositoryId: job.repositoryId, repository: job.repository, number: job.number },
          id,
        );
        return;
      }
      case "stop_lifted": {
        // A newer stop since (the newest run is parked again) keeps its notice as it is.
        const lifted = await liftedBy(job);
        if (!lifted) return;
        for (const marker of [PAUSED_NOTICE_MARKER, BUDGET_NOTICE_MARKER]) {
          await lift(target, marker, lifted);
        }
        return;
      }
    }
  };
}
