import type { DeliveryInbox, InboxDelivery } from "./delivery-inbox.js";
import type { DeliveryJob } from "./jobs.js";

export interface ProcessDeliveryDeps {
  inbox: Pick<DeliveryInbox, "startAttempt" | "finish">;
  /**
   * Handles the event as the webhook used to inline (src/github/app.ts: installation events,
   * pull requests' acceptance, comments). Every write it makes is keyed (the charge by the
   * run key, check runs, reply job ids), so a retry after a crash does each once.
   */
  handle(delivery: Pick<InboxDelivery, "id" | "name" | "payload">): Promise<void>;
  /**
   * Told about a delivery that failed for good (its id, event, recorded payload and why), once
   * it is marked failed and before the job fails: it shows the failure (the audit log, the pull
   * request). It must not throw: the handler's error is the job's.
   */
  onFailed?: (
    delivery: Pick<InboxDelivery, "id" | "name" | "attempts" | "payload">,
    error: string,
  ) => void | Promise<void>;
  now?: () => Date;
}

export type ProcessOutcome = "processed" | "skipped";

/**
 * The deliveries worker's use case: one recorded delivery, handled once. A delivery that is
 * no longer `received` (processed already: a second job for a redelivery, or the sweep's
 * add racing the first) is skipped. A failure is retried by the queue; on the last attempt
 * the delivery is marked failed with why, so it leaves the sweep's list and shows as failed.
 */
export function createProcessDelivery(deps: ProcessDeliveryDeps) {
  const now = deps.now ?? (() => new Date());
  return async function processDelivery(
    job: DeliveryJob,
    { finalAttempt }: { finalAttempt: boolean },
  ): Promise<ProcessOutcome> {
    const delivery = await deps.inbox.startAttempt(job.deliveryId);
    if (!delivery) return "skipped";
    try {
      await deps.handle(delivery);
    } catch (err) {
      if (finalAttempt) {
        const error = messageOf(err);
        await deps.inbox.finish(delivery.id, "failed", now(), error);
        await deps.onFailed?.(delivery, error);
      }
      throw err;
    }
    await deps.inbox.finish(delivery.id, "processed", now());
    return "processed";
  };
}
export type ProcessDelivery = ReturnType<typeof createProcessDelivery>;

/** The error's message (Probot gathers handler errors in an AggregateError), short. */
function messageOf(err: unknown): string {
  const errors = err instanceof AggregateError ? err.errors : [err];
  return errors
    .map((e) => (e instanceof Error ? e.message : String(e)))
    .join("; ")
    .slice(0, 500);
}
