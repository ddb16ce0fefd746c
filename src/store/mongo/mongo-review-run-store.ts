import { trusted, Types } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import {
  FINAL_STATUSES,
  type NewRun,
  type ReviewRun,
  type ReviewRunStore,
  type RunCondition,
  type RunFields,
  type RunStatus,
} from "../../reviews/types.js";
import { RUN_STATUSES, type ReviewRunDoc, type ReviewRunModel } from "./models/review-run.js";

/** The statuses the sweeper looks at, as an $in (which, unlike $nin, can use the index). */
const UNFINISHED: RunStatus[] = RUN_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));

/**
 * Review runs in MongoDB. Deduplication comes from the unique (accountId, runKey) index and
 * state changes from single-document findOneAndUpdate calls conditioned on the current
 * status; see models/review-run.ts. Operator objects in filters are wrapped in
 * mongoose.trusted(): the connection runs with sanitizeFilter (see mongo-connection.ts).
 *
 * "Newest" is the per-PR sequence (a database counter); for runs stored before it existed
 * (sequence 0) it is createdAt, then _id. The store sets both together, synchronously: within one
 * process ObjectIds only grow, so runs created in the same millisecond still have an order,
 * and it is their creation order. Across processes that share a millisecond the order is
 * arbitrary but fixed, which is all a tie between two processes can mean.
 */
export class MongoReviewRunStore implements ReviewRunStore {
  constructor(private readonly runs: ReviewRunModel) {}

  async claim(input: NewRun): Promise<{ created: boolean; run: ReviewRun }> {
    const now = new Date();
    const doc: ReviewRunDoc = {
      _id: new Types.ObjectId(),
      accountId: input.accountId,
      runKey: input.runKey,
      pr: {
        repositoryId: input.pr.repositoryId,
        repository: input.pr.repository,
        number: input.pr.number,
      },
      headSha: input.headSha,
      attempt: input.attempt,
      sequence: input.sequence,
      commentId: input.commentId,
      author: input.author ?? null,
      overBudget: input.overBudget ?? false,
      installationId: input.installationId,
      status: input.status,
      chargeKey: input.chargeKey,
      incremental: input.incremental,
      reason: input.reason,
      refundDue: false,
      checkRunId: null,
      postAttemptedAt: null,
      inlineComments: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      const created = await this.runs.insertOne(doc);
      return { created: true, run: toRun(created.toObject()) };
    } catch (err) {
      // Someone claimed this key first (a redelivered webhook, a racing worker): theirs is
      // the run. The _id cannot be the duplicate, we just made it; runs are never deleted,
      // so the existing one is there to read.
      if (!isDuplicateRunKey(err)) throw err;
      const existing = await this.get(input.accountId, input.runKey);
      if (!existing) throw new Error(`run ${input.runKey} missing right after a duplicate key`);
      return { created: false, run: existing };
    }
  }

  async get(accountId: AccountId, runKey: string): Promise<ReviewRun | null> {
    const doc = await this.runs.findOne({ accountId, runKey }).lean<ReviewRunDoc>();
    return doc ? toRun(doc) : null;
  }

  async transition(
    accountId: AccountId,
    runKey: string,
    from: readonly RunStatus[],
    to: RunStatus,
    fields: RunFields = {},
    where?: RunCondition,
  ): Promise<ReviewRun | null> {
    // One findOneAndUpdate: the status check and the write are a single atomic step on the
    // document, so of two workers moving a run out of the same status only one matches.
    // `chargeKey: null` also matches a run stored without the field (read as null, toRun).
    const set: Partial<ReviewRunDoc> = { status: to, updatedAt: new Date() };
    if (fields.chargeKey !== undefined) set.chargeKey = fields.chargeKey;
    if (fields.reason !== undefined) set.reason = fields.reason;
    if (fields.refundDue !== undefined) set.refundDue = fields.refundDue;
    if (fields.postAttemptedAt !== undefined) set.postAttemptedAt = fields.postAttemptedAt;
    if (fields.inlineComments !== undefined) set.inlineComments = fields.inlineComments;
    const doc = await this.runs
      .findOneAndUpdate(
        {
          accountId,
          runKey,
          status: trusted({ $in: [...from] }),
          ...(where ? { chargeKey: where.chargeKey } : {}),
        },
        { $set: set },
        { returnDocument: "after", runValidators: true },
      )
      .lean<ReviewRunDoc>();
    return doc ? toRun(doc) : null;
  }

  async setCheckRun(accountId: AccountId, runKey: string, checkRunId: number): Promise<void> {
    await this.runs.updateOne({ accountId, runKey }, { $set: { checkRunId } });
  }

  async settleRefund(accountId: AccountId, runKey: string): Promise<void> {
    await this.runs.updateOne({ accountId, runKey }, { $set: { refundDue: false } });
  }

  async listRefundDue(
    limit: number,
    accountId?: AccountId,
    after?: RunPosition,
  ): Promise<ReviewRun[]> {
    if (limit <= 0) return [];
    // Across accounts, like listStale: each run carries its accountId, and the refund that
    // follows is scoped to it. The filter matches the partial index "refund_due_paged", whose
    // keys are the page order, so a page is read off the index and stops at the limit.
    const filter: Record<string, unknown> = {
      refundDue: true,
      status: trusted({ $in: [...FINAL_STATUSES] }),
    };
    // One account's (an operator's sweep): an equality on top of the same filter.
    if (accountId !== undefined) filter.accountId = accountId;
    if (after) filter.$or = pastPosition(after);
    const docs = await this.runs
      .find(filter)
      .sort({ updatedAt: 1, accountId: 1, runKey: 1 })
      .limit(limit)
      .lean<ReviewRunDoc[]>();
    return docs.map(toRun);
  }

  async latestForPullRequest(
    accountId: AccountId,
    repositoryId: number,
    number: number,
  ): Promise<ReviewRun | null> {
    const doc = await this.runs
      .findOne({ accountId, "pr.repositoryId": repositoryId, "pr.number": number })
      .sort({ sequence: -1, createdAt: -1, _id: -1 })
      .lean<ReviewRunDoc>();
    return doc ? toRun(doc) : null;
  }

  async postedWithCharge(accountId: AccountId, chargeKey: string): Promise<boolean> {
    const found = await this.runs.exists({ accountId, chargeKey, status: "posted" });
    return found !== null;
  }

  async listForPullRequest(
    accountId: AccountId,
    repositoryId: number,
    number: number,
    limit: number,
  ): Promise<ReviewRun[]> {
    // MongoDB reads limit(0) as "no limit"; the contract means "nothing".
    if (limit <= 0) return [];
    const docs = await this.runs
      .find({ accountId, "pr.repositoryId": repositoryId, "pr.number": number })
      .sort({ sequence: -1, createdAt: -1, _id: -1 })
      .limit(limit)
      .lean<ReviewRunDoc[]>();
    return docs.map(toRun);
  }

  async listPaused(accountId: AccountId, since: Date, limit: number): Promise<ReviewRun[]> {
    if (limit <= 0) return [];
    // runKey is unique per account (the claim index), so (updatedAt, runKey) is a total
    // order within the account: the same in both stores. Served by the "paused" index.
    const docs = await this.runs
      .find({ accountId, status: "paused", updatedAt: trusted({ $gte: since }) })
      .sort({ updatedAt: -1, runKey: -1 })
      .limit(limit)
      .lean<ReviewRunDoc[]>();
    return docs.map(toRun);
  }

  async listStale(
    before: Date,
    limit: number,
    after?: { updatedAt: Date; accountId: AccountId; runKey: string },
    accountId?: AccountId,
  ): Promise<ReviewRun[]> {
    if (limit <= 0) return [];
    // The only query here without an accountId: the sweeper works across every account.
    // It returns whole runs, each carrying its own accountId, and every write that follows
    // (transition) is scoped to that account again. `after` continues past the previous
    // page in the total order (updatedAt, accountId, runKey).
    const filter: Record<string, unknown> = {
      status: trusted({ $in: UNFINISHED }),
      updatedAt: trusted({ $lt: before }),
    };
    // An operator's sweep of one account: the same order, restricted by an equality.
    if (accountId !== undefined) filter.accountId = accountId;
    if (after) filter.$or = pastPosition(after);
    const docs = await this.runs
      .find(filter)
      .sort({ updatedAt: 1, accountId: 1, runKey: 1 })
      .limit(limit)
      .lean<ReviewRunDoc[]>();
    return docs.map(toRun);
  }
}

type RunPosition = Pick<ReviewRun, "updatedAt" | "accountId" | "runKey">;

/**
 * Runs past `after` in the total order (updatedAt, accountId, runKey), for $or. sanitizeFilter
 * recurses into $or (helpers/query/sanitizeFilter.js) and leaves the trusted() operator
 * objects alone, as everywhere in this store.
 */
const pastPosition = (after: RunPosition) => [
  { updatedAt: trusted({ $gt: after.updatedAt }) },
  { updatedAt: after.updatedAt, accountId: trusted({ $gt: after.accountId }) },
  {
    updatedAt: after.updatedAt,
    accountId: after.accountId,
    runKey: trusted({ $gt: after.runKey }),
  },
];

/** A duplicate key error from the (accountId, runKey) index; false for any other error. */
function isDuplicateRunKey(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, keyPattern } = err as { code?: unknown; keyPattern?: unknown };
  return (
    code === 11000 &&
    typeof keyPattern === "object" &&
    keyPattern !== null &&
    "runKey" in keyPattern
  );
}

/** A stored document as a domain run: plain data, nothing mongoose-specific left. */
function toRun(doc: ReviewRunDoc): ReviewRun {
  return {
    accountId: toAccountId(doc.accountId),
    runKey: doc.runKey,
    pr: { repositoryId: doc.pr.repositoryId, repository: doc.pr.repository, number: doc.pr.number },
    headSha: doc.headSha,
    attempt: doc.attempt,
    sequence: doc.sequence ?? 0,
    commentId: doc.commentId ?? null,
    // Absent on runs stored before them: unknown author, no override.
    author: doc.author ?? null,
    overBudget: doc.overBudget ?? false,
    installationId: doc.installationId,
    status: doc.status,
    chargeKey: doc.chargeKey ?? null,
    incremental: doc.incremental,
    reason: doc.reason ?? null,
    refundDue: doc.refundDue ?? false,
    checkRunId: doc.checkRunId ?? null,
    // Absent (stored before the field): unknown, so the "already posted" check asks GitHub.
    postAttemptedAt: doc.postAttemptedAt,
    inlineComments: doc.inlineComments,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
