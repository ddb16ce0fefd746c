import { Schema, type Connection, type Model, type Types } from "mongoose";
import type { PullRequestRef, ReviewRun, RunStatus } from "../../../reviews/types.js";

/**
 * Every RunStatus, for the schema's enum. A Record so that a status added to the type without
 * being added here fails to compile instead of failing validation at run time.
 */
const STATUS_SET: Record<RunStatus, true> = {
  pending: true,
  queued: true,
  posted: true,
  failed: true,
  superseded: true,
  paused: true,
  skipped: true,
};
export const RUN_STATUSES = Object.keys(STATUS_SET) as RunStatus[];

/**
 * A review run as stored: the domain ReviewRun with an `_id`, derived from it so the two
 * cannot drift apart. The store sets `_id` itself, next to createdAt (see the store).
 */
export type ReviewRunDoc = Omit<
  ReviewRun,
  "accountId" | "author" | "overBudget" | "checkRunId" | "postAttemptedAt" | "inlineComments"
> & {
  _id: Types.ObjectId;
  accountId: number;
  author?: string | null;
  overBudget?: boolean;
  checkRunId?: number | null;
  postAttemptedAt?: Date | null;
  inlineComments?: number | null;
};

const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

const pullRequestRefSchema = new Schema<PullRequestRef>(
  {
    repositoryId: { type: Number, required: true, validate: integer },
    repository: { type: String, required: true },
    number: { type: Number, required: true, min: 1, validate: integer },
  },
  { _id: false },
);

export const reviewRunSchema = new Schema<ReviewRunDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    runKey: { type: String, required: true },
    pr: { type: pullRequestRefSchema, required: true },
    headSha: { type: String, required: true },
    attempt: { type: Number, required: true, min: 0, validate: integer },
    // Runs stored before these fields existed read them as their defaults (see toRun).
    sequence: { type: Number, default: 0, min: 0, validate: integer },
    commentId: { type: Number, default: null },
    author: { type: String, default: null },
    overBudget: { type: Boolean, default: false },
    installationId: { type: Number, required: true, validate: integer },
    status: { type: String, required: true, enum: [...RUN_STATUSES] },
    chargeKey: { type: String, default: null },
    incremental: { type: Boolean, required: true },
    reason: { type: String, default: null },
    refundDue: { type: Boolean, default: false },
    checkRunId: { type: Number, default: null, validate: integer },
    // No default: a run stored before the field reads it as unknown, never as "not attempted".
    postAttemptedAt: { type: Date },
    // No default either: unknown for runs stored before it (a re-review then asks GitHub).
    inlineComments: { type: Number, min: 0, validate: integer },
    // Set by the store (claim sets both, transition moves updatedAt), so no timestamps option.
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: "review_runs", strict: true, versionKey: false },
);

// claim() and get(): one run per key per account. The deduplication of webhook deliveries
// rests on this index: two deliveries of one push both insert, and only one gets in.
reviewRunSchema.index({ accountId: 1, runKey: 1 }, { unique: true });
// latestForPullRequest() and listForPullRequest(): newest first, by the per-PR sequence (a
// database counter, so no host's clock decides), then createdAt and _id for runs stored
// before the sequence existed (all 0). In the index so the sort needs no in-memory stage.
reviewRunSchema.index({
  accountId: 1,
  "pr.repositoryId": 1,
  "pr.number": 1,
  sequence: -1,
  createdAt: -1,
  _id: -1,
});
// postedWithCharge().
reviewRunSchema.index({ accountId: 1, chargeKey: 1, status: 1 });
// listStale(), oldest first, paged by (updatedAt, accountId, runKey). The one query on this
// collection without an accountId: the sweeper is an operator job over every account.
reviewRunSchema.index({ status: 1, updatedAt: 1, accountId: 1, runKey: 1 });
// listPaused(): one account's paused runs of a month, newest first. Equalities on accountId and
// status, then the range and sort on updatedAt, then runKey for the tiebreak: the whole sort
// comes from the index, and the limit stops the scan.
reviewRunSchema.index({ accountId: 1, status: 1, updatedAt: -1, runKey: -1 });
// listRefundDue(): sparse in practice (refundDue is true only between two writes), so a
// partial index holds just those runs, keyed in the page order (updatedAt, accountId,
// runKey). A new name: "refund_due" on (updatedAt, _id) from before can be dropped.
reviewRunSchema.index(
  { updatedAt: 1, accountId: 1, runKey: 1 },
  { partialFilterExpression: { refundDue: true }, name: "refund_due_paged" },
);

export type ReviewRunModel = Model<ReviewRunDoc>;

/** Models belong to one connection; storeOn (connect-mongo.ts) builds this one on its own. */
export const reviewRunModel = (conn: Connection): ReviewRunModel =>
  conn.model<ReviewRunDoc>("ReviewRun", reviewRunSchema);
