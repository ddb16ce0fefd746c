import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { QUEUE, alertJobSchema, type AlertJob } from "../queue/queues.js";
import type { SendAlert, SendAlertResult } from "./send-alert.js";

export interface NotificationWorkerDeps {
  /** A worker connection (createRedis(url, "worker")). */
  connection: Redis;
  /** Default "jasper", as for the other queues. */
  prefix?: string;
  sendAlert: SendAlert;
  log: Logger;
  /** Emails sent at once by this process; default 4. */
  concurrency?: number;
}

export interface NotificationWorker {
  /** Lets running jobs finish, then stops. */
  close(): Promise<void>;
}

/** Consumes the notifications queue: one low-balance email per job. */
export function startNotificationWorker(deps: NotificationWorkerDeps): NotificationWorker {
  const worker = new Worker<AlertJob, SendAlertResult>(
    QUEUE.notifications,
    async (job: Job<AlertJob>) => {
      const parsed = alertJobSchema.safeParse(job.data);
      // A payload this code cannot read stays unreadable however often it is retried.
      if (!parsed.success) {
        throw new UnrecoverableError(`invalid alert job: ${parsed.error.message}`);
      }
      const result = await deps.sendAlert(parsed.data);
      deps.log.info({ job: job.id, accountId: parsed.data.accountId, result }, "low-balance alert");
      return result;
    },
    {
      connection: deps.connection,
      prefix: deps.prefix ?? "jasper",
      concurrency: deps.concurrency ?? 4,
    },
  );
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
  return {
    async close() {
      await worker.close();
    },
  };
}
