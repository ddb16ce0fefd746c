import type { DefaultJobOptions } from "bullmq";
import { QUEUES, type QueueName } from "./queues.js";

export interface JobOptionOverrides {
  /** The first retry's delay (doubling after), instead of the queue's default. Tests shorten it. */
  retryDelayMs?: number;
}

/** A queue's default job options from QUEUES, with the overrides applied. */
export function jobOptions(
  queue: QueueName,
  overrides: JobOptionOverrides = {},
): DefaultJobOptions {
  return {
    ...QUEUES[queue].jobOptions,
    ...(overrides.retryDelayMs === undefined
      ? {}
      : { backoff: { type: "exponential", delay: overrides.retryDelayMs } }),
  };
}
