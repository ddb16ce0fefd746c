import type { DeliveryInbox, InboxDelivery } from "./delivery-inbox.js";
import type { DeliveryJob } from "./jobs.js";

export interface SweepDeliveriesDeps {
  inbox: Pick<DeliveryInbox, "listUnprocessed" | "finish">;
  /** The delivery job's state in the queue; "missing" when Redis no longer has it. */
  deliveryJobState(deliveryId: string): Promise<string>;
  enqueueDelivery(job: DeliveryJob, name: string): Promise<void>;
  /**
   * Told of each delivery the sweep marks failed, as the worker's `onFailed` is (issue 18): a
   * worker killed on its last attempt never told it. Must not throw; an error is logged and
   * the sweep goes on (the delivery is failed either way).
   */
  onFailed?: (
    delivery: Pick<InboxDelivery, "id" | "name" | "attempts" | "payload">,
    error: string,
  ) => void | Promise<void>;
  now?: () => Date;
}

export interface DeliverySweepReport {
  /** Received deliveries whose job was gone (Redis emptied, an add that failed): queued again. */
  requeued: number;
  /** Received deliveries whose job failed for good without the worker recording it. */
  failed: number;
}

/** Why a delivery the sweep marks failed failed, as its inbox entry and report say. */
const STOPPED = "the delivery worker stopped";

/** Job states in which the queue will still run the job: left alone. */
const ALIVE = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

/**
 * The inbox's outbox drain, run with every sweep: a delivery answered 202 but still
 * `received` after the grace period lost its job (Redis emptied right after the answer, a
 * crash between the record and the add, an add that timed out): it is queued again, under
 * the same job id. One whose job failed for good while the worker could not record it (killed
 * on its last attempt) is marked failed instead of being retried for ever. Bounded per sweep.
 */
export function createDeliverySweep(deps: SweepDeliveriesDeps) {
  const now = deps.now ?? (() => new Date());
  return async function sweepDeliveries(
    receivedBefore: Date,
    { pageSize = 100, maxPages = 20 } = {},
  ): Promise<DeliverySweepReport> {
    const report: DeliverySweepReport = { requeued: 0, failed: 0 };
    let after: InboxDelivery | undefined;
    for (let page = 0; page < maxPages; page++) {
      const deliveries = await deps.inbox.listUnprocessed(receivedBefore, pageSize, after);
      for (const delivery of deliveries) {
        const state = await deps.deliveryJobState(delivery.id);
        // Completed: processed since the list was read (the worker marks it before it completes).
        if (ALIVE.has(state) || state === "completed") continue;
        if (state === "failed") {
          await deps.inbox.finish(delivery.id, "failed", now(), STOPPED);
          report.failed++;
          // Once per delivery: failed now, it is no longer listed by a later sweep (and the
          // report is idempotent by the delivery's id if the worker told it too).
          try {
            await deps.onFailed?.(delivery, STOPPED);
          } catch {
            // Its contract is to log its own failures; one that throws anyway stops no other.
          }
        } else {
          await deps.enqueueDelivery({ deliveryId: delivery.id }, delivery.name);
          report.requeued++;
        }
      }
      if (deliveries.length < pageSize) break;
      after = deliveries.at(-1);
    }
    return report;
  };
}
export type DeliverySweep = ReturnType<typeof createDeliverySweep>;
