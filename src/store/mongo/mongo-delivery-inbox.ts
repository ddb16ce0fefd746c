import { trusted } from "mongoose";
import type {
  DeliveryInbox,
  InboxDelivery,
  NewDelivery,
  RecordResult,
} from "../../deliveries/delivery-inbox.js";
import type { InboxDeliveryDoc, InboxDeliveryModel } from "./models/inbox-delivery.js";

/**
 * The inbox in MongoDB (`inbox_deliveries`). A delivery is recorded once by the unique index
 * on its id (a concurrent second insert fails with a duplicate key and reads the first), and
 * every change is one conditional single-document update, so two workers cannot both start or
 * finish the same delivery from `received`. Operator objects are wrapped in mongoose.trusted():
 * the connection runs with sanitizeFilter (see mongo-connection.ts).
 */
export class MongoDeliveryInbox implements DeliveryInbox {
  constructor(private readonly deliveries: InboxDeliveryModel) {}

  async record(delivery: NewDelivery): Promise<RecordResult> {
    try {
      await this.deliveries.insertOne({
        deliveryId: delivery.id,
        name: delivery.name,
        payload: delivery.payload,
        status: "received",
        attempts: 0,
        receivedAt: delivery.receivedAt,
        finishedAt: null,
        error: null,
      });
      return { status: "recorded" };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await this.deliveries
        .findOne({ deliveryId: delivery.id }, { status: 1 })
        .lean<Pick<InboxDeliveryDoc, "status">>();
      // Expired between the insert and the read: as good as processed.
      return { status: "duplicate", existing: existing?.status ?? "processed" };
    }
  }

  async get(id: string): Promise<InboxDelivery | null> {
    const doc = await this.deliveries.findOne({ deliveryId: id }).lean<InboxDeliveryDoc>();
    return doc ? toDelivery(doc) : null;
  }

  async startAttempt(id: string): Promise<InboxDelivery | null> {
    const doc = await this.deliveries
      .findOneAndUpdate(
        { deliveryId: id, status: "received" },
        { $inc: { attempts: 1 } },
        { returnDocument: "after" },
      )
      .lean<InboxDeliveryDoc>();
    return doc ? toDelivery(doc) : null;
  }

  async reopen(id: string): Promise<boolean> {
    const result = await this.deliveries.updateOne(
      { deliveryId: id, status: "failed" },
      { $set: { status: "received", finishedAt: null, error: null } },
    );
    return result.modifiedCount === 1;
  }

  async finish(
    id: string,
    outcome: "processed" | "failed",
    at: Date,
    error?: string,
  ): Promise<void> {
    await this.deliveries.updateOne(
      { deliveryId: id, status: "received" },
      {
        $set: {
          status: outcome,
          finishedAt: at,
          error: outcome === "failed" ? (error ?? null) : null,
        },
      },
    );
  }

  async listUnprocessed(
    receivedBefore: Date,
    limit: number,
    after?: Pick<InboxDelivery, "id" | "receivedAt">,
  ): Promise<InboxDelivery[]> {
    // The partial index's filter (status: "received") and its keys in the page order, so a
    // page is read off the index. sanitizeFilter leaves the trusted() operators alone.
    const filter: Record<string, unknown> = {
      status: "received",
      receivedAt: trusted({ $lt: receivedBefore }),
    };
    if (after) {
      filter.$or = [
        { receivedAt: trusted({ $gt: after.receivedAt }) },
        { receivedAt: after.receivedAt, deliveryId: trusted({ $gt: after.id }) },
      ];
    }
    const docs = await this.deliveries
      .find(filter)
      .sort({ receivedAt: 1, deliveryId: 1 })
      .limit(limit)
      .lean<InboxDeliveryDoc[]>();
    return docs.map(toDelivery);
  }

  async recordedDeliveries(guids: readonly string[]): Promise<Set<string>> {
    if (guids.length === 0) return new Set();
    const docs = await this.deliveries
      .find({ deliveryId: trusted({ $in: [...guids] }) }, { deliveryId: 1 })
      .lean<Pick<InboxDeliveryDoc, "deliveryId">[]>();
    return new Set(docs.map((d) => d.deliveryId));
  }
}

/** A duplicate key error (code 11000): the delivery id is taken. */
function isDuplicateKey(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}

/** A stored document as a domain record: plain data, nothing mongoose-specific left. */
function toDelivery(doc: InboxDeliveryDoc): InboxDelivery {
  return {
    id: doc.deliveryId,
    name: doc.name,
    payload: doc.payload,
    status: doc.status,
    attempts: doc.attempts,
    receivedAt: doc.receivedAt,
    finishedAt: doc.finishedAt ?? null,
    error: doc.error ?? null,
  };
}
