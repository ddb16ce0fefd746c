import { Schema, type Connection, type Model, type Types } from "mongoose";
import { ALERT_LEVELS } from "../../../ledger/credits.js";
import {
  ENTRY_TYPES,
  type BucketAmounts,
  type LedgerEntry,
  type Lot,
  type LotDelta,
  type RefundRequest,
  type SpentTotal,
} from "../../../ledger/types.js";
import type { EntryUse } from "../../../ledger/entry-use.js";
import type { UseCounter } from "../../../ledger/month-use.js";

/**
 * A ledger entry as stored: the domain LedgerEntry with `_id` in place of `id`, derived from
 * it so the two cannot drift apart. The lot fields are absent on entries written before lots.
 */
export type LedgerEntryDoc = Omit<
  LedgerEntry,
  | "id"
  | "accountId"
  | "lotsAfter"
  | "lotDeltas"
  | "monthUse"
  | "refundRequest"
  | "planExpiresAt"
  | "spent"
> & {
  _id: Types.ObjectId;
  accountId: number;
  lotsAfter?: Lot[] | null | undefined;
  lotDeltas?: LotDelta[] | null | undefined;
  monthUse?: EntryUse | null | undefined;
  refundRequest?: RefundRequest | null | undefined;
  /** Absent on entries written before the plan bucket. */
  planExpiresAt?: Date | null | undefined;
  spent?: SpentTotal | null | undefined;
};

// Credits are whole numbers. Mongoose's Number type would accept 1.5, so every amount says so.
const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

const bucketsSchema = new Schema<BucketAmounts>(
  {
    free: { type: Number, required: true, validate: integer },
    // Not required: entries written before the plan bucket have none (read as 0).
    plan: { type: Number, default: 0, validate: integer },
    bonus: { type: Number, required: true, validate: integer },
    purchased: { type: Number, required: true, validate: integer },
  },
  { _id: false },
);

const lotSchema = new Schema<Lot>(
  {
    lot: { type: Number, required: true, min: 0, validate: integer },
    expiresAt: { type: Date, default: null },
    // No min: a negative lot is for ledger:verify to report, as a negative bucket is.
    remaining: { type: Number, required: true, validate: integer },
  },
  { _id: false },
);

const lotDeltaSchema = new Schema<LotDelta>(
  {
    lot: { type: Number, required: true, min: 0, validate: integer },
    amount: { type: Number, required: true, validate: integer },
  },
  { _id: false },
);

const counterSchema = new Schema<UseCounter>(
  {
    // Repository names and logins: plain strings in an array, never
    // field names, since a repository name may hold a "." that MongoDB reads as a path.
    key: { type: String, required: true },
    // A repository counted by its id: the newest name it was charged under. Absent otherwise.
    name: { type: String, default: undefined },
    credits: { type: Number, required: true, validate: integer },
    runs: { type: Number, required: true, validate: integer },
  },
  { _id: false },
);

const monthUseSchema = new Schema<EntryUse>(
  {
    period: { type: String, required: true },
    charged: { type: Number, required: true, validate: integer },
    requestedRefunds: { type: Number, required: true, validate: integer },
    account: { type: Number, required: true, validate: integer },
    // The whole month on entries written before constant-size entries; only what the entry
    // changed on those with `from` (entry-use.ts).
    repositories: { type: [counterSchema], default: [] },
    authors: { type: [counterSchema], default: [] },
    warned: { type: [String], default: [] },
    // Constant-size entries only; absent (not defaulted) on older ones, which is how a reader
    // and the partial indexes below tell the two apart.
    from: { type: Number, min: 1, validate: integer, default: undefined },
    fromSnapshot: { type: Boolean, default: undefined },
    unwarned: { type: [String], default: undefined },
  },
  { _id: false },
);

const spentSchema = new Schema<SpentTotal>(
  {
    total: { type: Number, required: true, validate: integer },
    from: { type: Number, required: true, min: 1, validate: integer },
  },
  { _id: false },
);

const refundRequestSchema = new Schema<RefundRequest>(
  {
    userId: { type: Number, required: true, validate: integer },
    login: { type: String, required: true },
    reason: { type: String, required: true },
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
    // `default: undefined`: mongoose gives an array path [] by default, which would make an
    // entry written before lots, read through a document, look like one with no bonus lots.
    lotsAfter: { type: [lotSchema], default: undefined },
    lotDeltas: { type: [lotDeltaSchema], default: undefined },
    planExpiresAt: { type: Date, default: null },
    // Absent (not null) on entries written before them; null on entries that are not requests.
    monthUse: { type: monthUseSchema, default: undefined },
    refundRequest: { type: refundRequestSchema, default: null },
    // The running net spend (ledger/spent.ts); absent on entries written before it.
    spent: { type: spentSchema, default: undefined },
    // Set by the caller (the ledger's clock), so no timestamps option.
    createdAt: { type: Date, required: true },
  },
  { collection: "ledger_entries", strict: true, versionKey: false },
);

// The three unique indexes are the ledger's whole concurrency guard (see ledger-store.ts): two
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
/** The warning threshold: the redrive never asks for a higher balance than this. */
const HIGHEST_ALERT = ALERT_LEVELS[0].threshold;
// lowDebitsSince(): the alert redrive's window, across accounts. Partial: only debits that
// left a low balance, a small share of all entries.
ledgerEntrySchema.index(
  { createdAt: 1 },
  {
    partialFilterExpression: { amount: { $lt: 0 }, balanceAfter: { $lte: HIGHEST_ALERT } },
    name: "low_debits",
  },
);
// pullRequestEntries(): one pull request's entries this month, for its cap on runs, found by
// number (the repository, by id or by name without case, is compared after). Partial: only entries about a pull
// request (usage and refunds) are in it.
ledgerEntrySchema.index(
  { accountId: 1, "reference.number": 1, createdAt: 1 },
  {
    partialFilterExpression: { "reference.kind": "pull_request" },
    name: "pull_request_entries",
  },
);
// latestTouching(): the newest entry carrying a counter or a warning, for the next charge's
// budgets (entry-use.ts). Partial: only constant-size entries are in them; an older entry
// holds the whole month, thousands of keys, and is read whole as a snapshot instead.
const CONSTANT_SIZE = { "monthUse.from": { $exists: true } };
ledgerEntrySchema.index(
  { accountId: 1, "monthUse.repositories.key": 1, seq: -1 },
  { partialFilterExpression: CONSTANT_SIZE, name: "use_repositories" },
);
ledgerEntrySchema.index(
  { accountId: 1, "monthUse.authors.key": 1, seq: -1 },
  { partialFilterExpression: CONSTANT_SIZE, name: "use_authors" },
);
ledgerEntrySchema.index(
  { accountId: 1, "monthUse.warned": 1, seq: -1 },
  { partialFilterExpression: CONSTANT_SIZE, name: "use_warned" },
);
// latestConstantSize(): whether a whole-month entry came after constant-size entries of its
// month (then a previous release wrote it from one entry's few counters). Without it, the
// search would walk the whole-month entries before it, each read whole.
ledgerEntrySchema.index(
  { accountId: 1, "monthUse.period": 1, seq: -1 },
  { partialFilterExpression: CONSTANT_SIZE, name: "use_periods" },
);
// Only entries that took a warning back (the fold of a name into its id): very few.
ledgerEntrySchema.index(
  { accountId: 1, "monthUse.unwarned": 1, seq: -1 },
  { partialFilterExpression: { "monthUse.unwarned": { $exists: true } }, name: "use_unwarned" },
);
// sumAmounts(): types since a date. spentAt(accountId, before) takes (accountId, createdAt)
// below: the newest entry before a date is its first key past the date, one document read.
ledgerEntrySchema.index({ accountId: 1, type: 1, createdAt: 1 });
// list() with a date range and no type (the history page's date filter): without it the
// server walks the account's whole history in seq order to reach an old range. With it, the
// range is read from here and its entries sorted by seq (a top-k sort of one page).
ledgerEntrySchema.index({ accountId: 1, createdAt: -1 });
// stream() (the CSV export, the ledger check) pages by seq: 500 entries at a time with
// seq < last (or > last), sorted by seq, plus the export's type and date filters. No index of
// its own, on purpose:
// - unfiltered, the unique (accountId, seq) gives both the bounds and the order;
// - by type, (accountId, type, seq) gives one seq-ordered range per type, which the server
//   merges in order, so no batch sorts in memory;
// - by date, createdAt is checked on each document while walking seq order (or the planner
//   takes (accountId, type, createdAt) for a narrow range and sorts at most one batch).
//   Whole-export cost is one pass over the account's history: what the export did when it
//   filtered in JavaScript, but on the server and without shipping the entries it drops.
// An index that also held createdAt would spare those document reads only for date-filtered
// exports of long histories, and every index costs each append, the hot path (every charge).

export type LedgerEntryModel = Model<LedgerEntryDoc>;

/** Models belong to one connection; storeOn (connect-mongo.ts) builds this one on its own. */
export const ledgerEntryModel = (conn: Connection): LedgerEntryModel =>
  conn.model<LedgerEntryDoc>("LedgerEntry", ledgerEntrySchema);
