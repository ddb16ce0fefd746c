import { Schema, type Connection, type Model, type Types } from "mongoose";
import {
  SUBSCRIPTION_STATUSES,
  type SubscriptionState,
} from "../../../billing/subscription-store.js";
import { PLAN_INTERVALS } from "../../../billing/plans.js";

/** A subscription's state: the domain record with `_id` and a plain account id. */
export type SubscriptionDoc = Omit<SubscriptionState, "accountId"> & {
  _id: Types.ObjectId;
  accountId: number;
};

const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

export const subscriptionSchema = new Schema<SubscriptionDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    customerId: { type: String, required: true },
    subscriptionId: { type: String, required: true },
    plan: { type: String, required: true },
    interval: { type: String, required: true, enum: [...PLAN_INTERVALS] },
    status: { type: String, required: true, enum: [...SUBSCRIPTION_STATUSES] },
    currentPeriodStart: { type: Date, required: true },
    currentPeriodEnd: { type: Date, required: true },
    cancelAtPeriodEnd: { type: Boolean, required: true },
    updatedAt: { type: Date, required: true },
    // An operator's enterprise plan's terms (absent on Stripe's subscriptions).
    custom: {
      type: new Schema(
        {
          name: { type: String, required: true },
          creditsPerMonth: { type: Number, required: true, validate: integer },
          priceCents: { type: Number, required: true, validate: integer },
          daysUntilDue: { type: Number, required: true, validate: integer },
        },
        { _id: false },
      ),
      required: false,
    },
    // A downgrade scheduled for the period's end (subscription-changes.ts).
    scheduledChange: {
      type: new Schema(
        {
          plan: { type: String, required: true },
          interval: { type: String, required: true, enum: [...PLAN_INTERVALS] },
          effectiveAt: { type: Date, required: true },
        },
        { _id: false },
      ),
      required: false,
    },
  },
  { collection: "subscriptions", strict: true, versionKey: false },
);

// A subscription belongs to one account, recorded once: what an event is matched against.
subscriptionSchema.index({ subscriptionId: 1 }, { unique: true });
// The account's newest subscription (billing status), and the month roll's pages by status.
subscriptionSchema.index({ accountId: 1, updatedAt: -1 });
subscriptionSchema.index({ status: 1, subscriptionId: 1 });

export type SubscriptionModel = Model<SubscriptionDoc>;

export const subscriptionModel = (conn: Connection): SubscriptionModel =>
  conn.model<SubscriptionDoc>("Subscription", subscriptionSchema);
