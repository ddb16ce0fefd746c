import { trusted } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type {
  AttemptOutcome,
  BeginResult,
  NewTopUpAttempt,
  TopUpAttempt,
  TopUpAttemptStore,
} from "../../billing/top-up-attempt-store.js";
import type { TopUpAttemptDoc, TopUpAttemptModel } from "./models/top-up-attempt.js";

/**
 * Top-up attempts in MongoDB. The three uniqueness rules are the unique indexes of
 * models/top-up-attempt.ts (the key, one in flight per account, the payment intent); every
 * write is one insert or one conditional update. Operator objects are wrapped in
 * mongoose.trusted(): the connection runs with sanitizeFilter (see connect-mongo.ts).
 */
export class MongoTopUpAttemptStore implements TopUpAttemptStore {
  constructor(private readonly attempts: TopUpAttemptModel) {}

  async begin(attempt: NewTopUpAttempt): Promise<BeginResult> {
    try {
      const created = await this.attempts.insertOne({
        ...attempt,
        state: "in_flight",
        paymentIntent: null,
        outcome: null,
        settledAt: null,
      });
      return { status: "begun", attempt: toAttempt(created.toObject()) };
    } catch (err) {
      if (!isDuplicateOf(err, "attemptKey") && !isDuplicateOf(err, "state")) throw err;
      // Whichever index refused it, this key may be the one in flight: then it exists.
      const existing = await this.find(attempt.accountId, attempt.attemptKey);
      if (existing) return { status: "exists", attempt: existing };
      if (isDuplicateOf(err, "state")) return { status: "busy" };
      throw new Error(`attempt ${attempt.attemptKey} missing after a duplicate key`);
    }
  }

  async find(accountId: AccountId, attemptKey: string): Promise<TopUpAttempt | null> {
    const doc = await this.attempts.findOne({ accountId, attemptKey }).lean<TopUpAttemptDoc>();
    return doc ? toAttempt(doc) : null;
  }

  async linkPaymentIntent(
    accountId: AccountId,
    attemptKey: string,
    paymentIntent: string,
  ): Promise<boolean> {
    try {
      // Set once: a later writer with another value matches nothing.
      await this.attempts.updateOne(
        { accountId, attemptKey, paymentIntent: null },
        { $set: { paymentIntent } },
      );
    } catch (err) {
      if (isDuplicateOf(err, "paymentIntent")) return false;
      throw err;
    }
    return (await this.find(accountId, attemptKey))?.paymentIntent === paymentIntent;
  }

  async findByPaymentIntentAcrossAccounts(paymentIntent: string): Promise<TopUpAttempt | null> {
    // The $type repeats the partial index's filter, so that the planner uses it.
    const filter = trusted({ $eq: paymentIntent, $type: "string" as const });
    const doc = await this.attempts.findOne({ paymentIntent: filter }).lean<TopUpAttemptDoc>();
    return doc ? toAttempt(doc) : null;
  }

  async settle(
    accountId: AccountId,
    attemptKey: string,
    outcome: AttemptOutcome,
    at: Date,
  ): Promise<TopUpAttempt | null> {
    const doc = await this.attempts
      .findOneAndUpdate(
        // A payment Stripe confirms also settles an attempt recorded as not paid (the money
        // was taken); nothing else changes a settled one.
        {
          accountId,
          attemptKey,
          state: outcome === "paid" ? trusted({ $in: ["in_flight", "failed"] }) : "in_flight",
        },
        { $set: { state: outcome === "paid" ? "succeeded" : "failed", outcome, settledAt: at } },
        { returnDocument: "after", runValidators: true },
      )
      .lean<TopUpAttemptDoc>();
    return doc ? toAttempt(doc) : null;
  }

  async recent(accountId: AccountId, since: Date): Promise<TopUpAttempt[]> {
    const docs = await this.attempts
      .find({
        accountId,
        $or: [{ createdAt: trusted({ $gte: since }) }, { state: "in_flight" }],
      })
      .sort({ createdAt: -1 })
      .lean<TopUpAttemptDoc[]>();
    return docs.map(toAttempt);
  }
}

/** A duplicate key error (code 11000) on the unique index over `field`. */
function isDuplicateOf(err: unknown, field: keyof TopUpAttemptDoc): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, keyPattern } = err as { code?: unknown; keyPattern?: unknown };
  return (
    code === 11000 && typeof keyPattern === "object" && keyPattern !== null && field in keyPattern
  );
}

function toAttempt(doc: TopUpAttemptDoc): TopUpAttempt {
  return {
    attemptKey: doc.attemptKey,
    accountId: toAccountId(doc.accountId),
    packageId: doc.packageId,
    credits: doc.credits,
    priceCents: doc.priceCents,
    currency: doc.currency,
    customerId: doc.customerId,
    paymentMethodId: doc.paymentMethodId,
    createdAt: doc.createdAt,
    state: doc.state,
    paymentIntent: doc.paymentIntent ?? null,
    outcome: doc.outcome ?? null,
    settledAt: doc.settledAt ?? null,
  };
}
