import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { registerWorker } from "../queue/register-worker.js";
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
  const { connection, prefix, log } = deps;
  const reviews = registerWorker(
    "reviews",
    (job, { finalAttempt }) => deps.runReview(job, { finalAttempt }),
    { connection, prefix, log, concurrency: deps.reviewConcurrency ?? 4 },
  );
  const replies = registerWorker("replies", (job) => deps.postReply(job), {
    connection,
    prefix,
    log,
    concurrency: 8,
  });
  const notifications = startNotificationWorker({
    connection,
    prefix,
    sendAlert: deps.sendAlert,
    log,
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
