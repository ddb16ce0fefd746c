import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ProcessDelivery } from "../deliveries/process-delivery.js";
import type { DeliverySweep } from "../deliveries/sweep-deliveries.js";
import type { InstallationPace } from "../queue/installation-pace.js";
import type { ReviewJob } from "../reviews/jobs.js";
import { closeQueue } from "../queue/close-queue.js";
import { registerWorker } from "../queue/register-worker.js";
import type { SendAlert } from "../notifications/send-alert.js";
import type { SendBudgetWarning } from "../notifications/send-budget-warning.js";
import type { RunTopUp } from "../notifications/run-top-up.js";
import type { SendTopUpNotice } from "../notifications/top-up-notices.js";
import type { SendPlanPaymentFailed } from "../notifications/plan-payment-failed.js";
import { startNotificationWorker } from "./start-notification-worker.js";
import type { PostReply } from "../replies/post-reply.js";
import type { RunReview } from "../reviews/run-review.js";
import type { Sweep } from "../reviews/sweep-runs.js";
import type { RedeliverFailed } from "../github/redeliver-failed.js";
import { keepRedeliveryScheduled } from "./schedule-redelivery.js";
import { keepSweepScheduled } from "./schedule-sweep.js";

/** What one drain of the outboxes queued again or repaired, by kind. */
export interface Redriven {
  alerts: number;
  notices: number;
  /** Top-up jobs of recent crossings queued again. */
  topUps?: number;
  /** Top-up attempts left in flight too long, settled from what Stripe says. */
  stuckTopUps?: number;
}

export interface WorkerDeps {
  connection: Redis;
  prefix?: string;
  /** A recorded GitHub delivery, handled once (src/deliveries/process-delivery.ts). */
  processDelivery: ProcessDelivery;
  runReview: RunReview;
  postReply: PostReply;
  sendAlert: SendAlert;
  sendBudgetWarning: SendBudgetWarning;
  runTopUp?: RunTopUp;
  sendTopUpNotice?: SendTopUpNotice;
  sendPlanPaymentFailed?: SendPlanPaymentFailed;
  sweep: Sweep;
  /**
   * Drains the outboxes with each sweep: alerts and paused notices whose queueing a crash
   * lost are queued again (their job ids keep each to one email or comment).
   */
  redrive?: () => Promise<Redriven>;
  /**
   * The plan month roll (src/billing/plan-months.ts), run with each sweep: each month of a
   * paid subscription granted and the month before expired without a Stripe event. Returns
   * the months granted.
   */
  rollPlanMonths?: () => Promise<number>;
  /**
   * Queues again, with each sweep, the deliveries still `received` that arrived before the
   * given time (their job was lost: Redis emptied after the 202, a failed add).
   */
  sweepDeliveries?: DeliverySweep;
  /** How long a received delivery is left to its job before the sweep queues it again; 1 min. */
  deliveryGraceMs?: number;
  log: Logger;
  /**
   * Content requests' pace per installation: review and reply jobs start when their
   * installation may post, and wait off their worker slot otherwise. None: no pacing.
   */
  pace?: InstallationPace;
  /** The installation a review job posts for (its run's); null when the run is gone. */
  installationOfReview?: (job: ReviewJob) => Promise<number | null>;
  /** Deliveries one worker process handles at once (each reads a configuration, charges). */
  deliveryConcurrency?: number;
  /** Reviews one worker process runs at once (they mostly wait on GitHub and the AI). */
  reviewConcurrency?: number;
  /** A run untouched this long is the sweeper's. */
  staleAfterMs?: number;
  /** How often the sweep runs, across all worker processes together; default a minute. */
  sweepEveryMs?: number;
  /**
   * How often this process checks that the sweep's scheduler is still in Redis (and puts it
   * back if not); default sweepEveryMs.
   */
  sweepCheckEveryMs?: number;
  /**
   * Asks GitHub to redeliver the webhook deliveries that failed; scheduled once per
   * `redeliverEveryMs` across every worker process. None: not scheduled.
   */
  redeliver?: RedeliverFailed;
  /** Default 5 minutes: a failed delivery is redelivered within about that. */
  redeliverEveryMs?: number;
}

/** What a process may tune when it starts the workers (main.ts takes the defaults). */
export type WorkerTuning = Pick<
  WorkerDeps,
  | "reviewConcurrency"
  | "deliveryConcurrency"
  | "staleAfterMs"
  | "sweepEveryMs"
  | "sweepCheckEveryMs"
  | "deliveryGraceMs"
  | "redeliverEveryMs"
>;

export interface Workers {
  /** Lets running jobs finish, then stops. */
  close(): Promise<void>;
}

/**
 * The worker role: consumes the deliveries, review, reply and notification queues, and the
 * maintenance queue, whose job scheduler sweeps stale runs once per interval across all worker
 * processes.
 */
export function startWorkers(deps: WorkerDeps): Workers {
  const { connection, prefix, log, pace } = deps;
  // What the webhook recorded: acceptance (configuration, charge, check run), comments,
  // installations. Comments are queued ahead of pull requests (queues.ts), and what they
  // hand on keeps its own pace below (replies: interactive lane before bulk).
  const deliveries = registerWorker(
    "deliveries",
    (job, { finalAttempt }) => deps.processDelivery(job, { finalAttempt }),
    { connection, prefix, log, concurrency: deps.deliveryConcurrency ?? 8 },
  );
  const reviews = registerWorker(
    "reviews",
    (job, { finalAttempt }) => deps.runReview(job, { finalAttempt }),
    {
      connection,
      prefix,
      log,
      concurrency: deps.reviewConcurrency ?? 4,
      pacing: pace &&
        deps.installationOfReview && {
          pace,
          installationOf: deps.installationOfReview,
          lane: () => "bulk",
        },
    },
  );
  // Answers people wait for (chat, commands) go ahead of bulk posts of the same installation.
  const replies = registerWorker("replies", (job) => deps.postReply(job), {
    connection,
    prefix,
    log,
    concurrency: 8,
    pacing: pace && {
      pace,
      installationOf: (job) => job.installationId,
      lane: (job) => (job.kind === "paused_notice" ? "bulk" : "interactive"),
    },
  });
  const notifications = startNotificationWorker({
    connection,
    prefix,
    sendAlert: deps.sendAlert,
    sendBudgetWarning: deps.sendBudgetWarning,
    runTopUp: deps.runTopUp,
    sendTopUpNotice: deps.sendTopUpNotice,
    sendPlanPaymentFailed: deps.sendPlanPaymentFailed,
    log,
  });

  const staleAfterMs = deps.staleAfterMs ?? 15 * 60_000;
  const deliveryGraceMs = deps.deliveryGraceMs ?? 60_000;
  const maintenance = registerWorker(
    "maintenance",
    async (job) => {
      switch (job.task) {
        case "sweep_runs": {
          // Deliveries first: a delivery whose job was lost is accepted (charged, its run
          // made) by its job, and the runs' sweep below then sees that run as any other.
          const d = await deps.sweepDeliveries?.(new Date(Date.now() - deliveryGraceMs));
          if (d && d.requeued + d.failed > 0) log.warn(d, "swept received deliveries");
          const r = await deps.sweep(new Date(Date.now() - staleAfterMs));
          if (r.resumed + r.requeued + r.failed + r.settled + r.errors > 0) {
            log.warn(r, "swept unfinished review runs");
          }
          const redriven = await deps.redrive?.();
          const planMonths = await rollPlanMonthsLogged(deps);
          return { ...r, ...redriven, ...planMonths, deliveries: d };
        }
        case "redeliver_failed": {
          // A scheduler left in Redis by a process that had it, in one that has not: no-op.
          if (!deps.redeliver) return { skipped: true };
          const r = await deps.redeliver();
          log[r.refused > 0 ? "warn" : "info"](r, "redelivery of failed webhook deliveries");
          return r;
        }
      }
    },
    { connection, prefix, log, concurrency: 1 },
  );
  // In the background, so starting stays synchronous; a worker connection waits out Redis
  // being down. The other processes keep it scheduled too.
  const schedule = keepSweepScheduled({
    connection,
    prefix,
    everyMs: deps.sweepEveryMs ?? 60_000,
    checkEveryMs: deps.sweepCheckEveryMs,
    log,
  });
  const redelivery =
    deps.redeliver &&
    keepRedeliveryScheduled({
      connection,
      prefix,
      everyMs: deps.redeliverEveryMs ?? 5 * 60_000,
      log,
    });

  return {
    async close() {
      // The scheduler stays in Redis: the other worker processes still sweep.
      await schedule.close();
      await redelivery?.close();
      await Promise.all([deliveries, reviews, replies, maintenance].map(closeQueue));
      await notifications.close();
    },
  };
}

/**
 * The month roll after the runs' sweep: a failure is logged and left to the next sweep (every
 * write of the roll is keyed, so a roll cut short is finished then), never failing the job
 * whose sweep of runs is done.
 */
async function rollPlanMonthsLogged(deps: WorkerDeps): Promise<{ planMonths?: number }> {
  if (!deps.rollPlanMonths) return {};
  try {
    const granted = await deps.rollPlanMonths();
    if (granted > 0) deps.log.info({ granted }, "granted plan months");
    return { planMonths: granted };
  } catch (err) {
    deps.log.error(
      { err: (err as Error).message },
      "plan month roll failed; the next sweep runs it again",
    );
    return {};
  }
}
