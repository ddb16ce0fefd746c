import { trusted } from "mongoose";
import { toAccountId } from "../../accounts/types.js";
import type {
  CheckoutRecord,
  CheckoutSessionStore,
  LinkResult,
  NewCheckoutRecord,
  RecordResult,
} from "../../billing/checkout-session-store.js";
import type { CheckoutSessionDoc, CheckoutSessionModel } from "./models/checkout-session.js";

/**
 * Checkout Sessions in MongoDB. Both uniqueness rules are the unique indexes of
 * models/checkout-session.ts, and every write is a single-document insert or update, so two
 * concurrent deliveries cannot both win. Operator objects are wrapped in mongoose.trusted():
 * the connection runs with sanitizeFilter (see connect-mongo.ts).
 */
export class MongoCheckoutSessionStore implements CheckoutSessionStore {
  constructor(private readonly sessions: CheckoutSessionModel) {}

  async record(session: NewCheckoutRecord): Promise<RecordResult> {
    try {
      const created = await this.sessions.insertOne({ ...session, paymentIntent: null });
      return { status: "recorded", record: toRecord(created.toObject()) };
    } catch (err) {
      if (!isDuplicateOf(err, "sessionId")) throw err;
      // Sessions are never deleted, so the one that holds the id is there to read.
      const existing = await this.find(session.sessionId);
      if (!existing) throw new Error(`session ${session.sessionId} missing after a duplicate key`);
      return { status: "exists", record: existing };
    }
  }

  async find(sessionId: string): Promise<CheckoutRecord | null> {
    const doc = await this.sessions.findOne({ sessionId }).lean<CheckoutSessionDoc>();
    return doc ? toRecord(doc) : null;
  }

  async linkPaymentIntent(sessionId: string, paymentIntent: string): Promise<LinkResult> {
    try {
      // Conditioned on "no payment intent yet", so it is set once: the first writer wins
      // and a later one with another value matches nothing.
      await this.sessions.updateOne(
        { sessionId, paymentIntent: null },
        { $set: { paymentIntent } },
      );
    } catch (err) {
      // The payment intent is already another session's.
      if (isDuplicateOf(err, "paymentIntent")) return { status: "conflict" };
      throw err;
    }
    const record = await this.find(sessionId);
    if (!record) return { status: "not_found" };
    return record.paymentIntent === paymentIntent
      ? { status: "linked", record }
      : { status: "conflict" };
  }

  async findByPaymentIntent(paymentIntent: string): Promise<CheckoutRecord | null> {
    // The $type repeats the partial index's filter: the planner only uses a partial index
    // when the query implies its filter, and it does not infer $type from an equality.
    const filter = trusted({ $eq: paymentIntent, $type: "string" as const });
    const doc = await this.sessions.findOne({ paymentIntent: filter }).lean<CheckoutSessionDoc>();
    return doc ? toRecord(doc) : null;
  }
}

/** A duplicate key error (code 11000) on the unique index over `field`. */
function isDuplicateOf(err: unknown, field: keyof CheckoutSessionDoc): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, keyPattern } = err as { code?: unknown; keyPattern?: unknown };
  return (
    code === 11000 && typeof keyPattern === "object" && keyPattern !== null && field in keyPattern
  );
}

/** A stored document as a domain record: plain data, nothing mongoose-specific left. */
function toRecord(doc: CheckoutSessionDoc): CheckoutRecord {
  return {
    sessionId: doc.sessionId,
    accountId: toAccountId(doc.accountId),
    packageId: doc.packageId,
    credits: doc.credits,
    priceCents: doc.priceCents,
    currency: doc.currency,
    createdAt: doc.createdAt,
    paymentIntent: doc.paymentIntent ?? null,
  };
}
