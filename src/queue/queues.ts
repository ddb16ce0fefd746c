/**
 * One typed map of the queues: names, job payloads (zod schemas, checked again when a worker
 * takes a job, see register-worker.ts), and default job options. The producer, the alert
 * enqueuer and every worker are typed from this map.
 *
 * Payload fields added later start optional (`.optional()`): jobs already waiting in Redis
 * were queued by the previous deploy without them, and a payload that does not parse fails
 * for good at once.
 */
import type { DefaultJobOptions } from "bullmq";
import { z } from "zod";
import { BUDGET_KINDS } from "../accounts/budget-rules.js";
import type { AlertLevel } from "../ledger/credits.js";
import type { BudgetWarning } from "../ledger/month-use.js";

const accountId = z.number().int().positive();
const prTarget = {
  accountId,
  installationId: z.number().int().positive(),
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  number: z.number().int().positive(),
};

export const reviewJobSchema = z.object({ accountId, runKey: z.string().min(1) });
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
      budget: z.enum(BUDGET_KINDS),
      cap: z.number().int().min(0),
      used: z.number().int().min(0),
    }),
    author: z.string().optional(),
    /** When the budgets start again (the 1st of next month, UTC), ISO 8601. */
    resetsOn: z.iso.datetime(),
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

/** One low-balance email: a level an entry crossed. */
export const alertJobSchema = z.object({
  accountId,
  /** The ledger entry that crossed the level. */
  entryId: z.string().min(1),
  level: z.enum(["warning", "critical", "depleted"] as const satisfies readonly AlertLevel[]),
  /** The balance right after that entry (what the email reports). */
  balance: z.number().int().min(0),
});
export type AlertJob = z.infer<typeof alertJobSchema>;

/** One budget-warning email: a charge took a credit budget to its warning share. */
export const budgetWarningJobSchema = z.object({
  kind: z.literal("budget_warning"),
  accountId,
  /** The month (UTC, "YYYY-MM") whose use reached the share. */
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  warning: z.object({
    id: z.string().min(1),
    budget: z.enum([
      "account",
      "repository",
      "author",
    ] as const satisfies readonly BudgetWarning["budget"][]),
    cap: z.number().int().positive(),
    used: z.number().int().min(0),
  }),
});
export type BudgetWarningJob = z.infer<typeof budgetWarningJobSchema>;

/**
 * What the notifications queue carries. Alert jobs predate `kind` and may still wait in Redis
 * during a deploy, so they stay valid without one; every later kind requires its `kind`.
 */
export const notificationJobSchema = z.union([alertJobSchema, budgetWarningJobSchema]);
export type NotificationJob = z.infer<typeof notificationJobSchema>;

/** Periodic work that must run once per interval across all worker processes. */
export const maintenanceJobSchema = z.object({ task: z.enum(["sweep_runs"]) });
export type MaintenanceJob = z.infer<typeof maintenanceJobSchema>;

const KEEP_A_DAY = { age: 24 * 3600, count: 10_000 };
const KEEP_A_WEEK = { age: 7 * 24 * 3600 };

const definitions = {
  /** Pull request reviews: slow (GitHub + the engine), retried with backoff. */
  reviews: {
    name: "reviews",
    label: "review",
    schema: reviewJobSchema,
    // 4 attempts, 10 s, 20 s, 40 s apart; kept a while so ids still deduplicate.
    jobOptions: {
      attempts: 4,
      backoff: { type: "exponential", delay: 10_000 },
      removeOnComplete: KEEP_A_DAY,
      removeOnFail: KEEP_A_WEEK,
    },
  },
  /** Comments the bot posts: chat answers, command replies, the "reviews paused" notice. */
  replies: {
    name: "replies",
    label: "reply",
    schema: replyJobSchema,
    jobOptions: {
      attempts: 5,
      backoff: { type: "exponential", delay: 5_000 },
      removeOnComplete: KEEP_A_DAY,
      removeOnFail: KEEP_A_WEEK,
    },
  },
  /**
   * Emails to billing contacts: low-balance alerts (one job per level an entry crossed) and
   * budget warnings (one per budget and month).
   */
  notifications: {
    name: "notifications",
    label: "notification",
    schema: notificationJobSchema,
    // Emails wait out an SMTP outage: 8 attempts, 30 s doubling to 32 min, about an hour in
    // all. Kept a while so the job id still deduplicates a second add for the same crossing.
    jobOptions: {
      attempts: 8,
      backoff: { type: "exponential", delay: 30_000 },
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  },
  /** Scheduled jobs (job schedulers): the sweep of unfinished review runs. */
  maintenance: {
    name: "maintenance",
    label: "maintenance",
    schema: maintenanceJobSchema,
    // One attempt: the next tick does the same work anyway. A few kept, to look at.
    jobOptions: {
      attempts: 1,
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 100 },
    },
  },
} as const;

export type QueueName = keyof typeof definitions;

/** What a job of each queue carries. */
export type JobPayloads = { [N in QueueName]: z.infer<(typeof definitions)[N]["schema"]> };

export interface QueueDefinition<N extends QueueName> {
  /** The BullMQ queue name (the same as its key in QUEUES). */
  name: N;
  /** What one job is called in error messages ("invalid notification job: ..."). */
  label: string;
  schema: z.ZodType<JobPayloads[N]>;
  jobOptions: Readonly<DefaultJobOptions>;
}

/** The annotation checks every entry: its name is its key, its schema yields its payload. */
export const QUEUES: { readonly [N in QueueName]: QueueDefinition<N> } = definitions;

/** The queue names, for code that needs only a name. */
export const QUEUE = {
  reviews: QUEUES.reviews.name,
  replies: QUEUES.replies.name,
  notifications: QUEUES.notifications.name,
  maintenance: QUEUES.maintenance.name,
} as const satisfies { [N in QueueName]: N };

/**
 * BullMQ refuses custom job ids with ":" (Redis key separator) and all-digit ids, so ids are
 * built here only, from parts joined with "-" and a letter prefix.
 */
export function jobId(prefix: string, ...parts: (string | number)[]): string {
  return [prefix, ...parts].join("-").replace(/:/g, "-");
}
