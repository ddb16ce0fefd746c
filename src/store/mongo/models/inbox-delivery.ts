import { Schema, type Connection, type Model, type Types } from "mongoose";
import type { InboxDelivery } from "../../../deliveries/delivery-inbox.js";

/** A delivery as stored: the domain record with `_id`, its GitHub id as `deliveryId`. */
export type InboxDeliveryDoc = Omit<InboxDelivery, "id"> & {
  _id: Types.ObjectId;
  deliveryId: string;
};

/** Finished deliveries are kept this long: GitHub's redelivery window (72 h) and then some. */
export const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;

export const inboxDeliverySchema = new Schema<InboxDeliveryDoc>(
  {
    deliveryId: { type: String, required: true },
    name: { type: String, required: true },
    // The payload as its schema read it; an empty object in it is kept (minimize: false).
    payload: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: ["received", "processed", "failed"], required: true },
    attempts: { type: Number, required: true, min: 0 },
    receivedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    error: { type: String, default: null },
  },
  { collection: "inbox_deliveries", strict: true, versionKey: false, minimize: false },
);

// A delivery is recorded once: GitHub's redelivery of it (same id) finds it taken.
inboxDeliverySchema.index({ deliveryId: 1 }, { unique: true });
// The sweep: received deliveries, oldest first, paged on (receivedAt, deliveryId).
inboxDeliverySchema.index(
  { receivedAt: 1, deliveryId: 1 },
  { partialFilterExpression: { status: "received" } },
);
// Finished deliveries leave after a week; received ones (finishedAt null) never expire.
inboxDeliverySchema.index({ finishedAt: 1 }, { expireAfterSeconds: KEEP_FINISHED_SECONDS });

export type InboxDeliveryModel = Model<InboxDeliveryDoc>;

/** Models belong to one connection; createMongoStore builds this one on its own. */
export const inboxDeliveryModel = (conn: Connection): InboxDeliveryModel =>
  conn.model<InboxDeliveryDoc>("InboxDelivery", inboxDeliverySchema);
