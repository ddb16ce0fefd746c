/**
 * One typed map of the queues: names, job payloads (zod schemas declared by the domains that
 * hand the jobs off, checked again when a worker takes a job, see register-worker.ts), and
 * default job options. The producer, the alert enqueuer and every worker are typed from this
 * map.
 */
import type { DefaultJobOptions } from "bullmq";
import { z } from "zod";
import { deliveryJobSchema } from "../deliveries/jobs.js";
import { notificationJobSchema } from "../notifications/jobs.js";
import { replyJobSchema, reviewJobSchema } from "../reviews/jobs.js";
import { jobKey } from "../shared/job-key.js";

/**
 * Periodic work that must run once per interval across all worker processes: the sweep of
 * unfinished review runs; the redelivery of webhook deliveries that failed.
 */
export const maintenanceJobSchema = z.object({
  task: z.enum(["sweep_runs", "redeliver_failed"]),
});
export type MaintenanceJob = z.infer<typeof maintenanceJobSchema>;

const KEEP_A_DAY = { age: 24 * 3600, count: 10_000 };
const KEEP_A_WEEK = { age: 7 * 24 * 3600 };

const definitions = {
  /**
   * GitHub deliveries the webhook recorded (src/deliveries): each handled once by the
   * deliveries worker. Comments are added without a priority, pull requests and the rest with
   * one, so a comment is taken before a burst of pull requests (BullMQ takes waiting jobs before
   * prioritized ones: moveToActive.lua). 8 attempts, 5 s doubling (about 10 minutes: a GitHub
   * outage is waited out); then the delivery is marked failed, until GitHub redelivers it.
   */
  deliveries: {
    name: "deliveries",
    label: "delivery",
    schema: deliveryJobSchema,
    jobOptions: {
      attempts: 8,
      backoff: { type: "exponential", delay: 5_000 },
      removeOnComplete: KEEP_A_DAY,
      removeOnFail: KEEP_A_WEEK,
    },
  },
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
   * Emails to billing contacts: low-balance alerts (one job per level an entry crossed),
   * budget warnings (one per budget and month) and top-up emails (one per attempt and
   * notice); and automatic top-ups (one per crossing), which a Stripe outage retries here
   * with the same attempt and idempotency key.
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
  deliveries: QUEUES.deliveries.name,
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
  return jobKey(prefix, ...parts).replace(/:/g, "-");
}

/**
 * How long the notifications queue keeps a finished job, in ms: how long its job id
 * deduplicates a second add (the payment-failed email queues only within it).
 */
export function notificationsKeptMs(): number {
  const kept = QUEUES.notifications.jobOptions.removeOnComplete;
  return typeof kept === "object" && "age" in kept && kept.age !== undefined ? kept.age * 1000 : 0;
}
