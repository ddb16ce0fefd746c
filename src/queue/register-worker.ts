import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { PermanentError, StoreTimeoutError } from "../shared/errors.js";
import { withBookedSlot } from "./booked-slot.js";
import { isConnectionError } from "./connection-error.js";
import type { InstallationPace, PaceLane } from "./installation-pace.js";
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

export interface RegisterWorkerOptions<N extends QueueName = QueueName> {
  /** A worker connection (createRedis(url, "worker")). */
  connection: Redis;
  /** Default "jasper", as for the producer. */
  prefix?: string;
  /** Jobs this process runs at once on this queue. */
  concurrency: number;
  log: Logger;
  /** Jobs that post to GitHub start only when their installation's pace allows. */
  pacing?: JobPacing<N>;
}

export interface JobPacing<N extends QueueName> {
  pace: InstallationPace;
  /** The installation whose content request the job makes; null: it makes none. */
  installationOf(payload: JobPayloads[N]): Promise<number | null> | number | null;
  lane(payload: JobPayloads[N]): PaceLane;
}

/**
 * Consumes one queue of QUEUES. The handler gets a parsed payload; what no retry can fix
 * fails the job for good at once (BullMQ's UnrecoverableError): a payload that does not parse
 * (it would not parse on the next attempt either), and a PermanentError, which use cases throw
 * so that they never import BullMQ. An UnrecoverableError thrown by the handler passes through
 * unchanged; anything else is retried with the queue's backoff, a StoreTimeoutError (the
 * database did not answer in time) logged as the retry it is.
 */
export function registerWorker<N extends QueueName, R>(
  queue: N,
  handler: JobHandler<N, R>,
  o: RegisterWorkerOptions<N>,
): Worker<JobPayloads[N], R> {
  const { name, label, schema } = QUEUES[queue];
  const worker = new Worker<JobPayloads[N], R>(
    name,
    async (job, token) => {
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) {
        throw new UnrecoverableError(`invalid ${label} job: ${parsed.error.message}`);
      }
      const run = () => handler(parsed.data, contextOf(job));
      try {
        return o.pacing ? await paced(o.pacing, parsed.data, job, token, run) : await run();
      } catch (err) {
        if (err instanceof PermanentError) throw new UnrecoverableError(err.message);
        if (err instanceof StoreTimeoutError) {
          // Retryable by design (its writes are keyed): said as such, not as a failure.
          const { finalAttempt } = contextOf(job);
          o.log.warn(
            { queue: name, job: job.id, attempts: job.attemptsMade + 1, code: err.code },
            finalAttempt
              ? "the database did not answer in time, on the job's last attempt"
              : "the database did not answer in time: the job is retried with backoff",
          );
        }
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
  // Connection errors come once per reconnect attempt of each of the worker's connections:
  // Redis being down is logged once per change instead (redis-health.ts).
  worker.on("error", (err) => {
    if (!isConnectionError(err)) o.log.error({ queue: name, err: err.message }, "worker error");
  });
  return worker;
}

/**
 * Runs the job when its installation's next content slot is near; otherwise moves it back
 * to delayed until then (BullMQ's manual delay: moveToDelayed, then DelayedError, which costs
 * no attempt; https://docs.bullmq.io/patterns/process-step-jobs), so that a job
 * waiting for its own installation never holds a worker slot another installation could use.
 */
async function paced<N extends QueueName, R>(
  pacing: JobPacing<N>,
  payload: JobPayloads[N],
  job: Job,
  token: string | undefined,
  run: () => Promise<R>,
): Promise<R> {
  const installationId = await pacing.installationOf(payload);
  if (installationId === null) return run();
  const { status, waitMs } = await pacing.pace.admit(
    installationId,
    `${job.queueName}:${job.id}`,
    pacing.lane(payload),
  );
  if (status === "later") {
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError();
  }
  const at = Date.now() + waitMs;
  return withBookedSlot({ installationId, at, used: false }, run);
}

function contextOf(job: Job): JobContext {
  return {
    id: job.id,
    attemptsMade: job.attemptsMade,
    finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
  };
}
