import { Schema, type Connection, type Model, type Types } from "mongoose";
import type {
  SavedPaymentMethod,
  StripeCustomerRecord,
} from "../../../billing/stripe-customer-store.js";

/** An account's Stripe customer: the domain record with `_id` and a plain account id. */
export type StripeCustomerDoc = Omit<StripeCustomerRecord, "accountId"> & {
  _id: Types.ObjectId;
  accountId: number;
};

const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

const paymentMethodSchema = new Schema<SavedPaymentMethod>(
  {
    id: { type: String, required: true },
    brand: { type: String, required: true, maxlength: 40 },
    last4: { type: String, required: true, match: /^[0-9]{4}$/ },
    savedAt: { type: Date, required: true },
  },
  { _id: false },
);

export const stripeCustomerSchema = new Schema<StripeCustomerDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    customerId: { type: String, required: true },
    // Set by the store, so no timestamps option.
    createdAt: { type: Date, required: true },
    paymentMethod: { type: paymentMethodSchema, default: null },
  },
  { collection: "stripe_customers", strict: true, versionKey: false },
);

// One customer per account: two requests that both create one find the first one's here.
stripeCustomerSchema.index({ accountId: 1 }, { unique: true });
// A customer belongs to one account; events that name only the customer look it up by it.
stripeCustomerSchema.index({ customerId: 1 }, { unique: true });

export type StripeCustomerModel = Model<StripeCustomerDoc>;

/** Models belong to one connection; createMongoStore builds this one on its own. */
export const stripeCustomerModel = (conn: Connection): StripeCustomerModel =>
  conn.model<StripeCustomerDoc>("StripeCustomer", stripeCustomerSchema);
