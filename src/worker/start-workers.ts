import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { PermanentError } from "../errors.js";
import {
  QUEUE,
  replyJobSchema,
  reviewJobSchema,
  type ReplyJob,
  type ReviewJob,
} from "../queue/queues.js";
import type { SendAlert } from "../notifications/send-alert.js";
import { startNotificationWorker } from "../notifications/start-notification-worker.js";
import type { PostReply } from "../replies/post-reply.js";
import type { RunReview } from "../reviews/run-review.js";
import type { Sweep } from "../reviews/sweep-runs.js";

export interface WorkerDeps {
  connection: Redis;
  prefix?: string;
  runReview: RunReview;
  postReply: PostReply;
  sendAlert: SendAlert;
  sweep: Sweep;
  log: Logger;
  /** Reviews one worker process runs at once (they mostly wait on GitHub and the AI). */
  reviewConcurrency?: number;
  /** A run untouched this long is the sweeper's. */
  staleAfterMs?: number;
  sweepEveryMs?: number;
}

export interface Workers {
  /** Lets running jobs finish, then stops. */
  close(): Promise<void>;
}

/** The worker role: consumes the review, reply and notification queues; sweeps stale runs. */
export function startWorkers(deps: WorkerDeps): Workers {
  const prefix = deps.prefix ?? "jasper";
  const reviews = new Worker<ReviewJob>(
    QUEUE.reviews,
    async (job: Job<ReviewJob>) => {
      const payload = reviewJobSchema.parse(job.data);
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      return deps.runReview(payload, { finalAttempt }).catch(unrecoverable);
    },
    { connection: deps.connection, prefix, concurrency: deps.reviewConcurrency ?? 4 },
  );
  const replies = new Worker<ReplyJob>(
    QUEUE.replies,
    async (job: Job<ReplyJob>) =>
      deps.postReply(replyJobSchema.parse(job.data)).catch(unrecoverable),
    { connection: deps.connection, prefix, concurrency: 8 },
  );
  for (const worker of [reviews, replies]) {
    worker.on("failed", (job, err) =>
      deps.log.warn(
        { queue: worker.name, job: job?.id, attempts: job?.attemptsMade, err: err.message },
        "job failed",
      ),
    );
    // Without a listener an 'error' event would crash the process; BullMQ reconnects itself.
    worker.on("error", (err) =>
      deps.log.error({ queue: worker.name, err: err.message }, "worker error"),
    );
  }

  const notifications = startNotificationWorker({
    connection: deps.connection,
    prefix,
    sendAlert: deps.sendAlert,
    log: deps.log,
  });

  const staleAfterMs = deps.staleAfterMs ?? 15 * 60_000;
  const timer = setInterval(() => {
    deps
      .sweep(new Date(Date.now() - staleAfterMs))
      .then((r) => {
        if (r.resumed + r.requeued + r.failed > 0) deps.log.warn(r, "swept unfinished review runs");
      })
      .catch((err: Error) => deps.log.error({ err: err.message }, "sweep failed"));
  }, deps.sweepEveryMs ?? 60_000);
  timer.unref();

  return {
    async close() {
      clearInterval(timer);
      await Promise.all([reviews.close(), replies.close(), notifications.close()]);
    },
  };
}

/** Until the shared worker helper lands: what no retry can fix, BullMQ must not retry. */
function unrecoverable(err: unknown): never {
  throw err instanceof PermanentError ? new UnrecoverableError(err.message) : err;
}
