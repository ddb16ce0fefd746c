import { Schema, type Connection, type Model, type Types } from "mongoose";
import { ENTRY_TYPES, type BucketAmounts, type LedgerEntry } from "../../../ledger/types.js";

/**
 * A ledger entry as stored: the domain LedgerEntry with `_id` in place of `id`, derived from
 * it so the two cannot drift apart.
 */
export type LedgerEntryDoc = Omit<LedgerEntry, "id" | "accountId"> & {
  _id: Types.ObjectId;
  accountId: number;
};

// Credits are whole numbers. Mongoose's Number type would accept 1.5, so every amount says so.
const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

const bucketsSchema = new Schema<BucketAmounts>(
  {
    free: { type: Number, required: true, validate: integer },
    bonus: { type: Number, required: true, validate: integer },
    purchased: { type: Number, required: true, validate: integer },
  },
  { _id: false },
);

export const ledgerEntrySchema = new Schema<LedgerEntryDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    seq: { type: Number, required: true, min: 1, validate: integer },
    type: { type: String, required: true, enum: [...ENTRY_TYPES] },
    amount: { type: Number, required: true, validate: integer },
    deltas: { type: bucketsSchema, required: true },
    bucketsAfter: { type: bucketsSchema, required: true },
    balanceAfter: { type: Number, required: true, validate: integer },
    freePeriod: { type: String, required: true },
    // Not `required`: mongoose's required check refuses the empty string.
    description: { type: String, default: "" },
    reference: { type: Schema.Types.Mixed, default: null },
    idempotencyKey: { type: String, required: true },
    refundOf: { type: String, default: null },
    uncollected: { type: Number, default: 0, validate: integer },
    // Set by the caller (the ledger's clock), so no timestamps option.
    createdAt: { type: Date, required: true },
  },
  { collection: "ledger_entries", strict: true, versionKey: false },
);

// The three unique indexes are the ledger's whole concurrency guard (see repository.ts): two
// writers that read the same newest entry both try seq + 1 and the index lets only one in;
// a retried request finds its idempotency key taken; a charge can be refunded once.
// Declared in the order the memory store checks them. An insert that breaks two rules gets
// one error, for whichever index the server checks first (not a documented order).
ledgerEntrySchema.index({ accountId: 1, seq: -1 }, { unique: true });
ledgerEntrySchema.index({ accountId: 1, idempotencyKey: 1 }, { unique: true });
// Partial: entries that are not refunds store refundOf: null, and must not collide on it.
ledgerEntrySchema.index(
  { accountId: 1, refundOf: 1 },
  { unique: true, partialFilterExpression: { refundOf: { $type: "string" } } },
);
// list() filtered by type, newest first.
ledgerEntrySchema.index({ accountId: 1, type: 1, seq: -1 });
// sumAmounts(): types since a date.
ledgerEntrySchema.index({ accountId: 1, type: 1, createdAt: 1 });

export type LedgerEntryModel = Model<LedgerEntryDoc>;

/** Models belong to one connection; createMongoStore builds this one on its own. */
export const ledgerEntryModel = (conn: Connection): LedgerEntryModel =>
  conn.model<LedgerEntryDoc>("LedgerEntry", ledgerEntrySchema);
