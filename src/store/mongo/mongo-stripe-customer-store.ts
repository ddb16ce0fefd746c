import { trusted } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type {
  NewStripeCustomer,
  RecordCustomerResult,
  SavedPaymentMethod,
  SavePaymentMethodResult,
  StripeCustomerRecord,
  StripeCustomerStore,
} from "../../billing/stripe-customer-store.js";
import type { StripeCustomerDoc, StripeCustomerModel } from "./models/stripe-customer.js";

/**
 * Stripe customers in MongoDB. Both uniqueness rules are the unique indexes of
 * models/stripe-customer.ts, and every write is one single-document insert or conditional
 * update, so concurrent writers cannot both win. Operator objects are wrapped in
 * mongoose.trusted(): the connection runs with sanitizeFilter (see connect-mongo.ts).
 */
export class MongoStripeCustomerStore implements StripeCustomerStore {
  constructor(private readonly customers: StripeCustomerModel) {}

  async record(customer: NewStripeCustomer): Promise<RecordCustomerResult> {
    try {
      const created = await this.customers.insertOne({
        accountId: customer.accountId,
        customerId: customer.customerId,
        createdAt: customer.createdAt,
        paymentMethod: null,
      });
      return { status: "recorded", record: toRecord(created.toObject()) };
    } catch (err) {
      if (isDuplicateOf(err, "accountId")) {
        // Records are never deleted, so the one that holds the account is there to read.
        const existing = await this.find(customer.accountId);
        if (!existing)
          throw new Error(`customer of ${customer.accountId} missing after a duplicate`);
        return { status: "exists", record: existing };
      }
      if (isDuplicateOf(err, "customerId")) return { status: "conflict" };
      throw err;
    }
  }

  async find(accountId: AccountId): Promise<StripeCustomerRecord | null> {
    const doc = await this.customers.findOne({ accountId }).lean<StripeCustomerDoc>();
    return doc ? toRecord(doc) : null;
  }

  async findByCustomerAcrossAccounts(customerId: string): Promise<StripeCustomerRecord | null> {
    const doc = await this.customers.findOne({ customerId }).lean<StripeCustomerDoc>();
    return doc ? toRecord(doc) : null;
  }

  async savePaymentMethod(
    accountId: AccountId,
    customerId: string,
    method: SavedPaymentMethod,
  ): Promise<SavePaymentMethodResult> {
    // Conditioned on the customer and on no later card: one update, so a late delivery of an
    // earlier setup cannot overwrite a newer card between a read and a write.
    const doc = await this.customers
      .findOneAndUpdate(
        {
          accountId,
          customerId,
          $or: [
            { paymentMethod: null },
            { "paymentMethod.savedAt": trusted({ $lte: method.savedAt }) },
          ],
        },
        { $set: { paymentMethod: { ...method } } },
        { returnDocument: "after", runValidators: true },
      )
      .lean<StripeCustomerDoc>();
    if (doc) return { status: "saved", record: toRecord(doc) };
    const current = await this.find(accountId);
    if (!current || current.customerId !== customerId) return { status: "not_found" };
    return { status: "outdated", record: current };
  }

  async removePaymentMethod(accountId: AccountId, paymentMethodId: string): Promise<boolean> {
    const result = await this.customers.updateOne(
      { accountId, "paymentMethod.id": paymentMethodId },
      { $set: { paymentMethod: null } },
    );
    return result.modifiedCount === 1;
  }
}

/** A duplicate key error (code 11000) on the unique index over `field`. */
function isDuplicateOf(err: unknown, field: keyof StripeCustomerDoc): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, keyPattern } = err as { code?: unknown; keyPattern?: unknown };
  return (
    code === 11000 && typeof keyPattern === "object" && keyPattern !== null && field in keyPattern
  );
}

/** A stored document as a domain record: plain data, nothing mongoose-specific left. */
function toRecord(doc: StripeCustomerDoc): StripeCustomerRecord {
  const pm = doc.paymentMethod;
  return {
    accountId: toAccountId(doc.accountId),
    customerId: doc.customerId,
    createdAt: doc.createdAt,
    paymentMethod: pm ? { id: pm.id, brand: pm.brand, last4: pm.last4, savedAt: pm.savedAt } : null,
  };
}
