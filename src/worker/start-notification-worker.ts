import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { registerWorker } from "../queue/register-worker.js";
import type { SendAlert } from "../notifications/send-alert.js";

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
  const worker = registerWorker(
    "notifications",
    async (alert, job) => {
      const result = await deps.sendAlert(alert);
      deps.log.info({ job: job.id, accountId: alert.accountId, result }, "low-balance alert");
      return result;
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency ?? 4,
      log: deps.log,
    },
  );
  return {
    async close() {
      await worker.close();
    },
  };
}
