import { JasperError, StoreTimeoutError } from "../shared/errors.js";
import { withTimeLimit } from "../shared/with-time-limit.js";
import type { DeliveryInbox, NewDelivery } from "./delivery-inbox.js";
import type { DeliveryJob } from "./jobs.js";

/** The queue cannot take the delivery now (Redis down or not answering): retry later. */
export class QueueDownError extends JasperError {
  constructor(message = "the queue is not reachable") {
    super("queue_unavailable", message);
  }
}

export interface ReceiveDeliveryDeps {
  inbox: Pick<DeliveryInbox, "record" | "reopen">;
  /**
   * Queues the delivery's job; its job id is the delivery id, so a second add is a no-op.
   * `again`: a finished job of that id is replaced (a reopened delivery).
   */
  enqueueDelivery(job: DeliveryJob, name: string, again?: boolean): Promise<void>;
  /** Whether the queue's connection is up now: without it nothing is recorded. */
  queueReady(): boolean;
  /** How long the inbox write may take before the webhook answers 503; default 2 s. */
  recordWithinMs?: number;
  now?: () => Date;
}

export type ReceiveOutcome = "recorded" | "duplicate";

/**
 * What the webhook does with a verified, valid delivery, and nothing more: record it in the
 * inbox, queue it, done. No GitHub request and no ledger write: those are the deliveries
 * worker's (process-delivery.ts), so the answer comes in milliseconds and work that outlasts
 * GitHub's 10 s never loses a delivery.
 *
 * Failures are bounded and leave nothing half-written:
 * - Redis down (its connection not ready): refused before anything is recorded.
 * - The inbox write not done in time: StoreTimeoutError, nothing queued. A write that lands
 *   late is a `received` delivery the sweep queues (sweep-deliveries.ts).
 * - The add failing after the record: the error goes up and the webhook answers 503, so
 *   GitHub's delivery log shows the failure Redis caused. The record is durable all the same:
 *   the sweep queues it after its grace period, and a redelivery finds it recorded and queues it
 *   at once. (202 would be as safe for the delivery; 503 keeps an outage visible on GitHub and
 *   is what a redelivery turns into a 202.)
 * - A duplicate (redelivery): nothing recorded; queued again unless processed, since the first
 *   attempt's add may be what failed (the job id makes that add a no-op otherwise). One that
 *   failed for good (every attempt, e.g. through a long GitHub outage) is reopened and queued
 *   anew: redelivering it on GitHub is how it is retried.
 */
export function createReceiveDelivery(deps: ReceiveDeliveryDeps) {
  const limit = deps.recordWithinMs ?? 2_000;
  const now = deps.now ?? (() => new Date());
  return async function receiveDelivery(
    delivery: Omit<NewDelivery, "receivedAt">,
  ): Promise<ReceiveOutcome> {
    if (!deps.queueReady()) throw new QueueDownError();
    const recorded = await withTimeLimit(
      deps.inbox.record({ ...delivery, receivedAt: now() }),
      limit,
      () => new StoreTimeoutError("write"),
    );
    if (recorded.status === "recorded") {
      await deps.enqueueDelivery({ deliveryId: delivery.id }, delivery.name);
      return "recorded";
    }
    if (recorded.existing === "received") {
      await deps.enqueueDelivery({ deliveryId: delivery.id }, delivery.name);
    } else if (recorded.existing === "failed" && (await deps.inbox.reopen(delivery.id))) {
      await deps.enqueueDelivery({ deliveryId: delivery.id }, delivery.name, true);
    }
    return "duplicate";
  };
}
export type ReceiveDelivery = ReturnType<typeof createReceiveDelivery>;
