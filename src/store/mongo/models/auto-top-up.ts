import { Schema, type Connection, type Model, type Types } from "mongoose";
import type { AutoTopUpRecord } from "../../../billing/auto-top-up-store.js";

/** An account's auto top-up settings: the domain record with `_id` and a plain account id. */
export type AutoTopUpDoc = Omit<AutoTopUpRecord, "accountId"> & {
  _id: Types.ObjectId;
  accountId: number;
};

const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

export const autoTopUpSchema = new Schema<AutoTopUpDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    enabled: { type: Boolean, required: true },
    packageId: { type: String, required: true },
    thresholdCredits: { type: Number, required: true, min: 0, validate: integer },
    monthlyMaxCount: { type: Number, required: true, min: 0, validate: integer },
    monthlyMaxCents: { type: Number, required: true, min: 0, validate: integer },
    switchedOffBecause: {
      type: String,
      enum: ["card_removed", "declined", null],
      default: null,
    },
    updatedAt: { type: Date, required: true },
  },
  { collection: "auto_top_ups", strict: true, versionKey: false },
);

// One record per account: every write finds it by the account.
autoTopUpSchema.index({ accountId: 1 }, { unique: true });

export type AutoTopUpModel = Model<AutoTopUpDoc>;

/** Models belong to one connection; createMongoStore builds this one on its own. */
export const autoTopUpModel = (conn: Connection): AutoTopUpModel =>
  conn.model<AutoTopUpDoc>("AutoTopUp", autoTopUpSchema);
