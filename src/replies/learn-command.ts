import { toAccountId } from "../accounts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { LearningStore } from "../learnings/learning-store.js";
import { parseLearnArgument, ruleOfComment } from "../learnings/learn-syntax.js";
import { LEARNING_TEXT_MAX, LEARNINGS_PER_ACCOUNT, type NewLearning } from "../learnings/types.js";
import type { ReplyJob } from "../reviews/jobs.js";
import type { PullRequestHost } from "../reviews/pull-request-host.js";
import type { Voice } from "../voice/voice.js";

export interface LearnDeps {
  learnings: Pick<LearningStore, "add">;
  audit: Pick<AuditLog, "record">;
  host: Pick<PullRequestHost, "ownReviewComment">;
  voice: Pick<
    Voice,
    "learned" | "learnNeedsText" | "learnTooLong" | "learningsFull" | "learnNeedsJasperComment"
  >;
  now?: () => Date;
  /** The most learnings an account keeps (LEARNINGS_PER_ACCOUNT). */
  maxPerAccount?: number;
}

type LearnJob = Extract<ReplyJob, { kind: "learn" }>;

/**
 * Records what a `learn` job teaches and says what was recorded. Free: nothing is charged.
 * Who may teach was decided on the webhook side (write access, asked of GitHub). The learning
 * is keyed by its comment, and so is its audit entry: a retried job records each once.
 */
export function createLearnCommand(deps: LearnDeps) {
  const { voice } = deps;
  const max = deps.maxPerAccount ?? LEARNINGS_PER_ACCOUNT;

  /** What the job teaches, or the answer that says why nothing was recorded. */
  async function lesson(
    job: LearnJob,
  ): Promise<Pick<NewLearning, "scope" | "text" | "rule" | "paths"> | string> {
    const target = {
      installationId: job.installationId,
      repository: job.repository,
      number: job.number,
    };
    if (job.mode === "command") {
      const request = parseLearnArgument(job.text);
      if ("error" in request) {
        return request.error === "empty"
          ? voice.learnNeedsText()
          : voice.learnTooLong(LEARNING_TEXT_MAX);
      }
      const { org, ...rest } = request;
      return { scope: org ? "organization" : "repository", ...rest };
    }
    // `don't flag this`: about the thread's first comment, which must be Jasper's own.
    const root = job.thread
      ? await deps.host.ownReviewComment(target, job.thread.rootCommentId)
      : null;
    if (!job.thread || root === null) return voice.learnNeedsJasperComment();
    const path = job.thread.path;
    const org = /(^|\s)--org(?=\s|$)/i.test(job.text);
    const words = job.text
      .replace(/(^|\s)--org(?=\s|$)/gi, " ")
      .replace(/\s+/g, " ")
      .trim();
    const rule = ruleOfComment(root);
    const about = rule
      ? `Do not flag "${rule}" in ${path}`
      : `Do not repeat this comment on ${path}: "${firstLine(root)}"`;
    return {
      scope: org ? "organization" : "repository",
      text: `${about} (${words})`.slice(0, LEARNING_TEXT_MAX),
      // A built-in finding's rule, silenced on this file (the path as a literal glob).
      rule,
      paths: rule ? literalGlob(path) : null,
    };
  }

  return async function learn(job: LearnJob): Promise<string> {
    const taught = await lesson(job);
    if (typeof taught === "string") return taught;
    const accountId = toAccountId(job.accountId);
    const added = await deps.learnings.add(
      {
        accountId,
        ...taught,
        repositoryId: job.repositoryId,
        repository: job.repository,
        author: job.author,
        source: { number: job.number, commentId: job.commentId },
        createdAt: (deps.now ?? (() => new Date()))(),
        sourceKey: job.sourceKey,
      },
      max,
    );
    if (added.status === "full") return voice.learningsFull(max, job.repository.split("/")[0]!);
    const l = added.learning;
    // Also for a duplicate: the retry of a job that recorded the learning and died before
    // auditing it; the entry's key makes a second record a no-op.
    await deps.audit.record({
      accountId,
      actor: { kind: "github_user", ...job.author },
      action: "learning_added",
      interface: "webhook",
      details: {
        learning: l.id,
        scope: l.scope,
        repository: l.repository,
        number: job.number,
        text: l.text,
        ...(l.rule ? { rule: l.rule, paths: l.paths } : {}),
      },
      idempotencyKey: `learning:${l.sourceKey}`,
    });
    return voice.learned(l, added.status === "duplicate");
  };
}
export type LearnCommand = ReturnType<typeof createLearnCommand>;

/** The first line of a comment, without its Markdown emphasis, at most 160 characters. */
function firstLine(body: string): string {
  return (body.trim().split("\n")[0] ?? "").replace(/[*_`]/g, "").slice(0, 160);
}

/** A path as a glob that matches only it: picomatch's special characters escaped. */
export function literalGlob(path: string): string {
  return path.replace(/[\\*?[\]{}()!+@|]/g, "\\$&");
}
