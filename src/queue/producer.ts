import type { Redis } from "ioredis";
import { createAddBatcher } from "./add-batcher.js";
import { closeQueue } from "./close-queue.js";
import { jobOptions } from "./job-options.js";
import { DEFAULT_PREFIX, openQueue } from "./open-queue.js";
import { deliveryLane, type DeliveryJob } from "../deliveries/jobs.js";
import type {
  AlertJob,
  AutoTopUpJob,
  BudgetWarningJob,
  PlanPaymentFailedJob,
  TopUpNoticeJob,
} from "../notifications/jobs.js";
import type { ReplyJob, ReviewJob } from "../reviews/jobs.js";
import { jobId } from "./queues.js";
import { withQueueTimeLimit } from "./with-time-limit.js";

export interface Producer {
  /**
   * A recorded GitHub delivery; its job id is the delivery id, so a second add is a no-op.
   * `again`: a reopened delivery, whose finished job of that id is replaced.
   */
  enqueueDelivery(job: DeliveryJob, name: string, again?: boolean): Promise<void>;
  /** The delivery job's state, for the sweep; "missing" when Redis no longer has it. */
  deliveryJobState(deliveryId: string): Promise<string>;
  enqueueReview(job: ReviewJob, runKey: string): Promise<void>;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
  /** A low-balance email; `id` is alertJobId(...), so a repeated add is a no-op. */
  enqueueAlert(job: AlertJob, id: string): Promise<void>;
  /** A budget-warning email; `id` is budgetWarningJobId(...), so a repeated add is a no-op. */
  enqueueBudgetWarning(job: BudgetWarningJob, id: string): Promise<void>;
  /**
   * An automatic top-up; `id` is autoTopUpJobId(...) (or the retry's), so a repeated add is a
   * no-op. `delayMs`: run no sooner (the hourly rule's wait).
   */
  enqueueTopUp(job: AutoTopUpJob, id: string, delayMs?: number): Promise<void>;
  /** An email about a top-up not paid; `id` is topUpNoticeJobId(...). */
  enqueueTopUpNotice(job: TopUpNoticeJob, id: string): Promise<void>;
  /** The email about a plan's failed renewal; `id` is planPaymentFailedJobId(...). */
  enqueuePlanPaymentFailed(job: PlanPaymentFailedJob, id: string): Promise<void>;
  /** The review job's state, for the sweeper; "missing" when Redis no longer has it. */
  reviewJobState(accountId: number, runKey: string): Promise<string>;
  close(): Promise<void>;
}

export interface ProducerOptions {
  /** Names are prefixed so that tests (and several deployments) can share one Redis. */
  prefix?: string;
  /** How long a review waits before it starts, so a burst of pushes becomes one review. */
  reviewDelayMs: number;
  /** The first retry's delay (doubling after); default the queue's, in QUEUES. Tests shorten it. */
  retryDelayMs?: number;
  /** How long one add may wait for Redis before it fails; default 3 s (webhooks wait on it). */
  addTimeoutMs?: number;
}

/**
 * Every process may produce. `add` errors are never swallowed: a webhook that could not queue
 * its delivery answers 503 and GitHub shows the failed delivery (the inbox's sweep queues it
 * if it was recorded); a delivery job that could not queue its review fails and is retried,
 * its run staying `pending` for the sweeper meanwhile.
 */
export function createProducer(connection: Redis, options: ProducerOptions): Producer {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const deliveries = openQueue("deliveries", connection, prefix);
  const reviews = openQueue("reviews", connection, prefix);
  const replies = openQueue("replies", connection, prefix);
  const notifications = openQueue("notifications", connection, prefix);
  const overrides = { retryDelayMs: options.retryDelayMs };
  const deliveryOptions = jobOptions("deliveries", overrides);
  const reviewOptions = jobOptions("reviews", overrides);
  const replyOptions = jobOptions("replies", overrides);
  const notificationOptions = jobOptions("notifications", overrides);
  const reviewJobId = (accountId: number, runKey: string) => jobId("run", accountId, runKey);
  const deliveryJobId = (deliveryId: string) => jobId("delivery", deliveryId);
  const limit = options.addTimeoutMs ?? 3_000;
  // Deliveries come in bursts, each waited on by a webhook request: added together.
  const addDelivery = createAddBatcher((batch: { job: DeliveryJob; name: string }[]) =>
    deliveries.addBulk(
      batch.map(({ job, name }) => ({
        name: "delivery",
        data: job,
        opts: {
          ...deliveryOptions,
          jobId: deliveryJobId(job.deliveryId),
          // People wait on comments: they are taken before any prioritized (bulk) job.
          ...(deliveryLane(name) === "bulk" ? { priority: 1 } : {}),
        },
      })),
    ),
  );
  /** A notification job of a kind (its name), under its id; `delayMs`: no sooner. */
  const addNotification = async (
    job: AutoTopUpJob | TopUpNoticeJob | PlanPaymentFailedJob,
    id: string,
    what: string,
    delayMs = 0,
  ) => {
    await withQueueTimeLimit(
      notifications.add(job.kind, job, {
        ...notificationOptions,
        jobId: jobId(id),
        ...(delayMs > 0 ? { delay: delayMs } : {}),
      }),
      limit,
      what,
    );
  };
  return {
    async enqueueDelivery(job, name, again = false) {
      const id = deliveryJobId(job.deliveryId);
      if (again) {
        // BullMQ keeps a finished job (removeOnFail, removeOnComplete) and an add of its id is
        // a no-op: removed first, so the reopened delivery runs again. Only a finished one,
        // never a live job.
        const removeFinished = async () => {
          const previous = await deliveries.getJob(id);
          const state = previous ? await previous.getState() : "missing";
          if (state === "failed" || state === "completed") await previous!.remove();
        };
        await withQueueTimeLimit(removeFinished(), limit, "replacing a finished delivery job");
      }
      await withQueueTimeLimit(addDelivery({ job, name }), limit, "queueing a delivery");
    },
    async deliveryJobState(deliveryId) {
      const job = await withQueueTimeLimit(
        deliveries.getJob(deliveryJobId(deliveryId)),
        limit,
        "reading a delivery job",
      );
      return job ? await job.getState() : "missing";
    },
    async enqueueReview(job, runKey) {
      await withQueueTimeLimit(
        reviews.add("review", job, {
          ...reviewOptions,
          jobId: reviewJobId(job.accountId, runKey),
          delay: options.reviewDelayMs,
        }),
        limit,
        "queueing a review",
      );
    },
    async enqueueReply(job, id) {
      await withQueueTimeLimit(
        replies.add(job.kind, job, { ...replyOptions, jobId: jobId("reply", id) }),
        limit,
        "queueing a reply",
      );
    },
    async enqueueAlert(job, id) {
      await withQueueTimeLimit(
        notifications.add(job.level, job, { ...notificationOptions, jobId: jobId(id) }),
        limit,
        "queueing an alert",
      );
    },
    async enqueueBudgetWarning(job, id) {
      await withQueueTimeLimit(
        notifications.add(job.kind, job, { ...notificationOptions, jobId: jobId(id) }),
        limit,
        "queueing a budget warning",
      );
    },
    enqueueTopUp: (job, id, delayMs) => addNotification(job, id, "queueing a top-up", delayMs),
    enqueueTopUpNotice: (job, id) => addNotification(job, id, "queueing a top-up email"),
    enqueuePlanPaymentFailed: (job, id) =>
      addNotification(job, id, "queueing a payment-failed email"),
    async reviewJobState(accountId, runKey) {
      const job = await withQueueTimeLimit(
        reviews.getJob(reviewJobId(accountId, runKey)),
        limit,
        "reading a review job",
      );
      return job ? await job.getState() : "missing";
    },
    async close() {
      await Promise.all([deliveries, reviews, replies, notifications].map(closeQueue));
    },
  };
}
