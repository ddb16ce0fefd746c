import { Schema, type Connection, type Model, type Types } from "mongoose";
import type { TopUpAttempt } from "../../../billing/top-up-attempt-store.js";

/** An automatic top-up attempt: the domain record with `_id` and a plain account id. */
export type TopUpAttemptDoc = Omit<TopUpAttempt, "accountId"> & {
  _id: Types.ObjectId;
  accountId: number;
};

const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

export const topUpAttemptSchema = new Schema<TopUpAttemptDoc>(
  {
    attemptKey: { type: String, required: true },
    accountId: { type: Number, required: true, validate: integer },
    packageId: { type: String, required: true },
    credits: { type: Number, required: true, min: 1, validate: integer },
    priceCents: { type: Number, required: true, min: 0, validate: integer },
    currency: { type: String, required: true, match: /^[a-z]{3}$/ },
    customerId: { type: String, required: true },
    paymentMethodId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    state: { type: String, required: true, enum: ["in_flight", "succeeded", "failed"] },
    paymentIntent: { type: String, default: null },
    outcome: {
      type: String,
      enum: ["paid", "declined", "authentication_required", "failed", null],
      default: null,
    },
    settledAt: { type: Date, default: null },
  },
  { collection: "top_up_attempts", strict: true, versionKey: false },
);

// An attempt per crossing: a redelivered trigger or a retried job finds it taken.
topUpAttemptSchema.index({ attemptKey: 1 }, { unique: true });
// At most one attempt in flight per account, whatever the queue does: concurrent crossings
// all try to begin one, and this index lets exactly one in.
topUpAttemptSchema.index(
  { accountId: 1, state: 1 },
  { unique: true, partialFilterExpression: { state: "in_flight" } },
);
// How the success event finds its attempt. Partial: attempts before their payment store null.
topUpAttemptSchema.index(
  { paymentIntent: 1 },
  { unique: true, partialFilterExpression: { paymentIntent: { $type: "string" } } },
);
// recent(): the account's attempts newest first.
topUpAttemptSchema.index({ accountId: 1, createdAt: -1 });

export type TopUpAttemptModel = Model<TopUpAttemptDoc>;

/** Models belong to one connection; createMongoStore builds this one on its own. */
export const topUpAttemptModel = (conn: Connection): TopUpAttemptModel =>
  conn.model<TopUpAttemptDoc>("TopUpAttempt", topUpAttemptSchema);
