/**
 * The review and reply jobs the reviews hand off (and src/replies and the commands consume):
 * their payloads, as zod schemas, since a worker checks each payload again when it takes a
 * job. src/queue carries them (queues.ts, producer.ts); the reviews only say what a job holds.
 *
 * Payload fields added later start optional (`.optional()`): jobs already waiting in Redis
 * were queued by the previous deploy without them, and a payload that does not parse fails
 * for good at once.
 */
import { z } from "zod";
import { STOP_KINDS } from "../accounts/budget-rules.js";

const accountId = z.number().int().positive();
const prTarget = {
  accountId,
  installationId: z.number().int().positive(),
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  number: z.number().int().positive(),
};

/**
 * What the event that asked for the review said about the pull request: the worker reviews
 * with it instead of asking GitHub again (`GET pulls/N`). Absent when nothing carried it (the
 * sweeper's resume, a take-up, jobs queued before it existed): the worker then asks.
 */
export const pullSnapshotSchema = z.object({
  title: z.string().max(1_000),
  body: z.string().max(65_536),
  /** GitHub's count of changed files, for the coverage line; absent when not sent. */
  changedFiles: z.number().int().min(0).optional(),
});
export type PullSnapshot = z.infer<typeof pullSnapshotSchema>;

export const reviewJobSchema = z.object({
  accountId,
  runKey: z.string().min(1),
  pull: pullSnapshotSchema.optional(),
});
export type ReviewJob = z.infer<typeof reviewJobSchema>;

export const replyJobSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("comment"),
    ...prTarget,
    body: z.string().min(1),
    /** Posted as a reply in this inline review thread (its first comment's id). */
    inReplyTo: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal("paused_notice"),
    ...prTarget,
    repositoryId: z.number().int().positive(),
  }),
  /** A budget stopped a review: the pull request's one budget comment, posted or updated. */
  z.object({
    kind: z.literal("budget_notice"),
    ...prTarget,
    repositoryId: z.number().int().positive(),
    stop: z.object({
      budget: z.enum(STOP_KINDS),
      cap: z.number().int().min(0),
      used: z.number().int().min(0),
    }),
    author: z.string().optional(),
    /** When the budgets start again (the 1st of next month, UTC), ISO 8601. */
    resetsOn: z.iso.datetime(),
  }),
  /**
   * A run parked by a stop (the balance, a budget) was taken up again and posted: the pull
   * request's stop notices, where they exist, are edited to say so. Never posts a comment.
   */
  z.object({
    kind: z.literal("stop_lifted"),
    ...prTarget,
    repositoryId: z.number().int().positive(),
  }),
  /** `/jasper review`: the worker looks up the head and accepts it like an automatic review. */
  z.object({
    kind: z.literal("review_request"),
    ...prTarget,
    repositoryId: z.number().int().positive(),
    /** The comment that asked: one comment asks for one run, however often it is delivered. */
    commentId: z.number().int().positive().optional(),
    /** `/jasper full review`: every file again, not a re-review of what changed. */
    full: z.boolean().optional(),
    /** `/jasper review --over-budget`: who let it through (an admin of the account). */
    overBudgetBy: z
      .object({ id: z.number().int().positive(), login: z.string().min(1) })
      .optional(),
  }),
  /** `/jasper summary`: the walkthrough comment, posted or updated. */
  z.object({ kind: z.literal("summary"), ...prTarget }),
  /** `/jasper config`: the effective configuration and where each value came from. */
  z.object({ kind: z.literal("config"), ...prTarget }),
  /**
   * `/jasper learn <text>`, or `@jasper don't flag this` in the thread of a Jasper comment: the
   * worker records the learning (once per comment), audits it and answers.
   */
  z.object({
    kind: z.literal("learn"),
    ...prTarget,
    repositoryId: z.number().int().positive(),
    /** The teaching comment; `rc` before a review comment's id (they are numbered apart). */
    sourceKey: z.string().regex(/^(rc)?\d+$/),
    commentId: z.number().int().positive(),
    author: z.object({ id: z.number().int().positive(), login: z.string().min(1) }),
    /** `command`: the argument of `learn`; `dont_flag`: the mention's words. */
    mode: z.enum(["command", "dont_flag"]),
    text: z.string().max(4000),
    /** Taught in an inline review thread: its first comment and file. */
    thread: z
      .object({ rootCommentId: z.number().int().positive(), path: z.string().min(1) })
      .optional(),
  }),
  z.object({
    kind: z.literal("chat"),
    ...prTarget,
    title: z.string(),
    question: z.string().min(1),
    author: z.string(),
    /** Asked in an inline review thread: answered there, given its file, line and hunk. */
    thread: z
      .object({
        rootCommentId: z.number().int().positive(),
        path: z.string(),
        line: z.number().int().nullable(),
        hunk: z.string(),
      })
      .optional(),
  }),
]);
export type ReplyJob = z.infer<typeof replyJobSchema>;
