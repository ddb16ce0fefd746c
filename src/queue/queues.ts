/**
 * One typed map of the queues: names, job payloads (zod schemas, checked again when a worker
 * takes a job), and default options. Payload fields added later start optional: jobs already
 * waiting in Redis survive a deploy.
 */
import { z } from "zod";

export const QUEUE = {
  /** Pull request reviews: slow (GitHub + the engine), retried with backoff. */
  reviews: "reviews",
  /** Comments the bot posts: chat answers, command replies, the "reviews paused" notice. */
  replies: "replies",
} as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

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
  z.object({ kind: z.literal("comment"), ...prTarget, body: z.string().min(1) }),
  z.object({
    kind: z.literal("paused_notice"),
    ...prTarget,
    repositoryId: z.number().int().positive(),
  }),
  /** `/jasper review`: the worker looks up the head and accepts it like an automatic review. */
  z.object({
    kind: z.literal("review_request"),
    ...prTarget,
    repositoryId: z.number().int().positive(),
  }),
  z.object({
    kind: z.literal("chat"),
    ...prTarget,
    title: z.string(),
    question: z.string().min(1),
    author: z.string(),
  }),
]);
export type ReplyJob = z.infer<typeof replyJobSchema>;

export interface JobPayloads {
  reviews: ReviewJob;
  replies: ReplyJob;
}

/**
 * BullMQ refuses custom job ids with ":" (Redis key separator) and all-digit ids, so ids are
 * built here only, from parts joined with "-" and a letter prefix.
 */
export function jobId(prefix: string, ...parts: (string | number)[]): string {
  return [prefix, ...parts].join("-").replace(/:/g, "-");
}

/** Reviews: 4 attempts, 10 s, 20 s, 40 s apart; kept a while so ids still deduplicate. */
export const REVIEW_JOB_OPTIONS = {
  attempts: 4,
  backoff: { type: "exponential", delay: 10_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export const REPLY_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
