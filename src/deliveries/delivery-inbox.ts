/**
 * The inbox of GitHub deliveries (issue 18): the webhook records each delivery here before it
 * answers 2xx, so an answer is a promise: whatever happens to the queue afterwards (Redis
 * emptied, a crash before the add), the sweep finds the delivery still `received` and queues
 * it again. Keyed by GitHub's delivery id (X-GitHub-Delivery), unique, so a redelivery of the
 * same delivery is recorded once and processed once.
 *
 * Deliveries are not an account's: the reads here are cross-account by nature (the sweep, the
 * redelivery job's "which of these did Jasper record").
 */

/** received: recorded, not processed yet; processed: handled; failed: every attempt failed. */
export type DeliveryStatus = "received" | "processed" | "failed";

export interface NewDelivery {
  /** X-GitHub-Delivery: a GUID per delivery, the same on a redelivery. */
  id: string;
  /** X-GitHub-Event ("pull_request", "issue_comment", ...). */
  name: string;
  /** The payload as its schema (src/github/webhook-payloads.ts) read it: what the handler needs. */
  payload: Record<string, unknown>;
  receivedAt: Date;
}

export interface InboxDelivery extends NewDelivery {
  status: DeliveryStatus;
  /** Processing attempts started (a redelivery of the same id starts none). */
  attempts: number;
  /** When it was processed or failed for good; null while received. */
  finishedAt: Date | null;
  /** Why it failed (a message, never the payload); null otherwise. */
  error: string | null;
}

export type RecordResult =
  | { status: "recorded" }
  /** Recorded before (a redelivery, or GitHub sending twice): nothing changed. */
  | { status: "duplicate"; existing: DeliveryStatus };

export interface DeliveryInbox {
  /** Records a delivery once; a second record of the same id changes nothing. */
  record(delivery: NewDelivery): Promise<RecordResult>;
  get(id: string): Promise<InboxDelivery | null>;
  /**
   * Counts one more processing attempt and returns the delivery, when it is still
   * `received`; null when it is unknown or already processed or failed (nothing changed).
   */
  startAttempt(id: string): Promise<InboxDelivery | null>;
  /**
   * A failed delivery back to `received` (GitHub redelivered it: someone, or the redelivery
   * job, asks for it again); false when it is not failed (nothing changed).
   */
  reopen(id: string): Promise<boolean>;
  /** Ends a received delivery: processed, or failed with why. A finished one stays as it is. */
  finish(id: string, outcome: "processed" | "failed", at: Date, error?: string): Promise<void>;
  /**
   * Deliveries still `received` that arrived before `receivedBefore`, oldest first, after
   * `after` (paging): the sweep's. Cross-account.
   */
  listUnprocessed(
    receivedBefore: Date,
    limit: number,
    after?: Pick<InboxDelivery, "id" | "receivedAt">,
  ): Promise<InboxDelivery[]>;
  /**
   * Which of these delivery ids Jasper has recorded, whatever their status (the redelivery
   * job asks GitHub again only for the others). Cross-account.
   */
  recordedDeliveries(guids: readonly string[]): Promise<Set<string>>;
}
