import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { PermanentError } from "../errors.js";
import { DEFAULT_PREFIX } from "./open-queue.js";
import { QUEUES, type JobPayloads, type QueueName } from "./queues.js";

/** What a handler may know of its job besides the payload. */
export interface JobContext {
  id: string | undefined;
  /** Attempts that failed before this one. */
  attemptsMade: number;
  /** No retry follows if this attempt fails: the last chance to record the failure. */
  finalAttempt: boolean;
}

export type JobHandler<N extends QueueName, R> = (
  payload: JobPayloads[N],
  job: JobContext,
) => Promise<R>;

export interface RegisterWorkerOptions {
  /** A worker connection (createRedis(url, "worker")). */
  connection: Redis;
  /** Default "jasper", as for the producer. */
  prefix?: string;
  /** Jobs this process runs at once on this queue. */
  concurrency: number;
  log: Logger;
}

/**
 * Consumes one queue of QUEUES. The handler gets a parsed payload; what no retry can fix
 * fails the job for good at once (BullMQ's UnrecoverableError): a payload that does not parse
 * (it would not parse on the next attempt either), and a PermanentError, which use cases throw
 * so that they never import BullMQ. An UnrecoverableError thrown by the handler passes through
 * unchanged; anything else is retried with the queue's backoff.
 */
export function registerWorker<N extends QueueName, R>(
  queue: N,
  handler: JobHandler<N, R>,
  o: RegisterWorkerOptions,
): Worker<JobPayloads[N], R> {
  const { name, label, schema } = QUEUES[queue];
  const worker = new Worker<JobPayloads[N], R>(
    name,
    async (job) => {
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) {
        throw new UnrecoverableError(`invalid ${label} job: ${parsed.error.message}`);
      }
      try {
        return await handler(parsed.data, contextOf(job));
      } catch (err) {
        if (err instanceof PermanentError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    { connection: o.connection, prefix: o.prefix ?? DEFAULT_PREFIX, concurrency: o.concurrency },
  );
  // Never the payload (it carries questions, comment bodies, email balances): ids and counts.
  worker.on("failed", (job, err) =>
    o.log.warn(
      { queue: name, job: job?.id, attempts: job?.attemptsMade, err: err.message },
      "job failed",
    ),
  );
  // Without a listener an 'error' event would crash the process; BullMQ reconnects itself.
  worker.on("error", (err) => o.log.error({ queue: name, err: err.message }, "worker error"));
  return worker;
}

function contextOf(job: Job): JobContext {
  return {
    id: job.id,
    attemptsMade: job.attemptsMade,
    finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
  };
}
