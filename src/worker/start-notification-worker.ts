import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { closeQueue } from "../queue/close-queue.js";
import { registerWorker } from "../queue/register-worker.js";
import { PermanentError } from "../shared/errors.js";
import type { SendAlert } from "../notifications/send-alert.js";
import type { SendBudgetWarning } from "../notifications/send-budget-warning.js";
import type { RunTopUp } from "../notifications/run-top-up.js";
import type { SendTopUpNotice } from "../notifications/top-up-notices.js";
import type { SendPlanPaymentFailed } from "../notifications/plan-payment-failed.js";

export interface NotificationWorkerDeps {
  /** A worker connection (createRedis(url, "worker")). */
  connection: Redis;
  /** Default "jasper", as for the other queues. */
  prefix?: string;
  sendAlert: SendAlert;
  sendBudgetWarning: SendBudgetWarning;
  /** Automatic top-up jobs; without it (no Stripe) they fail for good, logged. */
  runTopUp?: RunTopUp;
  sendTopUpNotice?: SendTopUpNotice;
  /** The email about a plan's failed renewal. */
  sendPlanPaymentFailed?: SendPlanPaymentFailed;
  log: Logger;
  /** Emails sent at once by this process; default 4. */
  concurrency?: number;
}

export interface NotificationWorker {
  /** Lets running jobs finish, then stops. */
  close(): Promise<void>;
}

/**
 * Consumes the notifications queue: one email per job (a low-balance alert, a budget warning,
 * a top-up not paid, a plan's renewal not paid), or one automatic top-up.
 */
export function startNotificationWorker(deps: NotificationWorkerDeps): NotificationWorker {
  const worker = registerWorker(
    "notifications",
    async (payload, job) => {
      // Alert jobs have no `kind`: they were the queue's only jobs before budget warnings.
      if ("kind" in payload && payload.kind === "auto_top_up") {
        if (!deps.runTopUp) throw new PermanentError("automatic top-ups need Stripe");
        const result = await deps.runTopUp(payload);
        const { accountId, entryId } = payload;
        deps.log.info({ job: job.id, accountId, entryId, result }, "automatic top-up");
        return result;
      }
      if ("kind" in payload && payload.kind === "top_up_notice") {
        if (!deps.sendTopUpNotice) throw new PermanentError("no sender of top-up emails");
        const result = await deps.sendTopUpNotice(payload);
        const { accountId, notice } = payload;
        deps.log.info({ job: job.id, accountId, notice, result }, "top-up email");
        return result;
      }
      if ("kind" in payload && payload.kind === "plan_payment_failed") {
        if (!deps.sendPlanPaymentFailed) throw new PermanentError("no sender of plan emails");
        const result = await deps.sendPlanPaymentFailed(payload);
        const { accountId, invoiceId } = payload;
        deps.log.info({ job: job.id, accountId, invoiceId, result }, "payment-failed email");
        return result;
      }
      if ("kind" in payload) {
        const result = await deps.sendBudgetWarning(payload);
        const { accountId, period } = payload;
        deps.log.info(
          { job: job.id, accountId, period, budget: payload.warning.id, result },
          "budget warning",
        );
        return result;
      }
      const result = await deps.sendAlert(payload);
      deps.log.info({ job: job.id, accountId: payload.accountId, result }, "low-balance alert");
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
      await closeQueue(worker);
    },
  };
}
