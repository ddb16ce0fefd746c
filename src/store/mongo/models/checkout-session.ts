import { Schema, type Connection, type Model, type Types } from "mongoose";
import type { CheckoutRecord } from "../../../billing/checkout-session-store.js";

/** A Checkout Session Jasper created: the domain record with `_id` and a plain account id. */
export type CheckoutSessionDoc = Omit<CheckoutRecord, "accountId"> & {
  _id: Types.ObjectId;
  accountId: number;
};

// Money and credits are whole numbers. Mongoose's Number type would accept 1.5.
const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

export const checkoutSessionSchema = new Schema<CheckoutSessionDoc>(
  {
    sessionId: { type: String, required: true },
    accountId: { type: Number, required: true, validate: integer },
    packageId: { type: String, required: true },
    credits: { type: Number, required: true, min: 1, validate: integer },
    priceCents: { type: Number, required: true, min: 0, validate: integer },
    currency: { type: String, required: true, match: /^[a-z]{3}$/ },
    // Set by the store, so no timestamps option.
    createdAt: { type: Date, required: true },
    paymentIntent: { type: String, default: null },
  },
  { collection: "checkout_sessions", strict: true, versionKey: false },
);

// A session is recorded once: a retried checkout that gets the same session back from
// Stripe finds it taken, and the webhook looks sessions up by it.
checkoutSessionSchema.index({ sessionId: 1 }, { unique: true });
// How a refund finds its purchase. Partial: sessions not paid yet store paymentIntent: null,
// and must not collide on it.
checkoutSessionSchema.index(
  { paymentIntent: 1 },
  { unique: true, partialFilterExpression: { paymentIntent: { $type: "string" } } },
);

export type CheckoutSessionModel = Model<CheckoutSessionDoc>;

/** Models belong to one connection; createMongoStore builds this one on its own. */
export const checkoutSessionModel = (conn: Connection): CheckoutSessionModel =>
  conn.model<CheckoutSessionDoc>("CheckoutSession", checkoutSessionSchema);
