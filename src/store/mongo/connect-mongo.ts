import type { Connection } from "mongoose";
import type { Store } from "../store.js";
import { checkIndexes } from "./index-check.js";
import { accountModel } from "./models/account.js";
import { apiKeyModel } from "./models/api-key.js";
import { autoTopUpModel } from "./models/auto-top-up.js";
import { auditEntryModel } from "./models/audit-entry.js";
import { checkoutSessionModel } from "./models/checkout-session.js";
import { inboxDeliveryModel } from "./models/inbox-delivery.js";
import { learningModel } from "./models/learning.js";
import { ledgerEntryModel } from "./models/ledger-entry.js";
import { pullRequestModel } from "./models/pull-request.js";
import { reviewRunModel } from "./models/review-run.js";
import { subscriptionModel } from "./models/subscription.js";
import { invoiceModel } from "./models/invoice.js";
import { topUpAttemptModel } from "./models/top-up-attempt.js";
import { stripeCustomerModel } from "./models/stripe-customer.js";
import { openMongo, type ConnectOverrides } from "./mongo-connection.js";
import { MongoAccountStore } from "./mongo-account-store.js";
import { MongoApiKeyStore } from "./mongo-api-key-store.js";
import { MongoAutoTopUpStore } from "./mongo-auto-top-up-store.js";
import { MongoAuditStore } from "./mongo-audit-store.js";
import { MongoCheckoutSessionStore } from "./mongo-checkout-session-store.js";
import { MongoDeliveryInbox } from "./mongo-delivery-inbox.js";
import { MongoLearningStore } from "./mongo-learning-store.js";
import { MongoLedgerStore } from "./mongo-ledger-store.js";
import { ledgerWithListing } from "../ledger-with-listing.js";
import { MongoPullRequestStore } from "./mongo-pull-request-store.js";
import { MongoReviewRunStore } from "./mongo-review-run-store.js";
import { MongoSubscriptionStore } from "./mongo-subscription-store.js";
import { MongoInvoiceStore } from "./mongo-invoice-store.js";
import { MongoTopUpAttemptStore } from "./mongo-top-up-attempt-store.js";
import { MongoStripeCustomerStore } from "./mongo-stripe-customer-store.js";
import { watchMongo, type MongoStateChange } from "./mongo-health.js";
import { withTimeLimitErrors } from "./time-limits.js";

/**
 * "app": the unique indexes must exist, or the store refuses to open; they are what keeps two
 * writers from spending the same credit, so no write may happen without them.
 * "read-only" (ledger:verify): opens whatever is there, and only warns about missing indexes.
 */
export type MongoStoreMode = "app" | "read-only";

/**
 * Connects to MongoDB and returns the store (a first connect that fails throws a one-line
 * MongoUnreachableError). Opening creates nothing and writes nothing
 * (mongo-connection.ts): collections and indexes are the migration's (migrate-mongo.ts); here
 * one listIndexes per collection checks they are there.
 */
export async function createMongoStore(
  uri: string,
  mode: MongoStoreMode,
  warn: (message: string) => void,
  overrides: ConnectOverrides = {},
  onStateChange?: (change: MongoStateChange) => void,
): Promise<Store> {
  const conn = await openMongo(uri, overrides);
  if (onStateChange) watchMongo(conn, onStateChange);
  try {
    const store = storeOn(conn);
    await checkIndexes(Object.values(conn.models), mode === "app", warn);
    return store;
  } catch (err) {
    await conn.close();
    throw err;
  }
}

/**
 * The store over models built on `conn`. Building a model puts it in conn.models, which is
 * where the migration and the index check find them: a model added here is migrated and
 * checked with no other change. Talks to no server (the connection builds nothing).
 */
export function storeOn(conn: Connection): Store {
  const entries = ledgerEntryModel(conn);
  const accounts = accountModel(conn);
  const runs = reviewRunModel(conn);
  const pullRequests = pullRequestModel(conn);
  const apiKeys = apiKeyModel(conn);
  // A Stripe payment is granted only for a recorded session, and a refund finds its purchase
  // by payment intent: both unique (the migration builds them, the start check wants them).
  const checkoutSessions = checkoutSessionModel(conn);
  // One Stripe customer per account, and one account per customer: both unique.
  const stripeCustomers = stripeCustomerModel(conn);
  // Auto top-up settings: one document per account.
  const autoTopUp = autoTopUpModel(conn);
  // Top-up attempts: unique by key and by payment intent, one in flight per account.
  const topUpAttempts = topUpAttemptModel(conn);
  // One audit entry per action: (accountId, idempotencyKey) unique.
  const audit = auditEntryModel(conn);
  // A subscription is recorded once, for one account: subscriptionId unique.
  const subscriptions = subscriptionModel(conn);
  // A Stripe invoice is kept once, for one account: invoiceId unique.
  const invoices = invoiceModel(conn);
  // One learning per teaching comment: (accountId, sourceKey) unique.
  const learnings = learningModel(conn);
  // GitHub deliveries, recorded once each: deliveryId unique.
  const deliveries = inboxDeliveryModel(conn);
  // A read past its maxTimeMS or a write past its wtimeout (mongo-connection.ts) comes out
  // of every store as a StoreTimeoutError.
  const accountStore = withTimeLimitErrors(new MongoAccountStore(accounts));
  return {
    kind: "mongo",
    accounts: accountStore,
    // Each append also updates the account's listing copy (ledger-with-listing.ts).
    ledger: ledgerWithListing(withTimeLimitErrors(new MongoLedgerStore(entries)), accountStore),
    runs: withTimeLimitErrors(new MongoReviewRunStore(runs)),
    pullRequests: withTimeLimitErrors(new MongoPullRequestStore(pullRequests)),
    apiKeys: withTimeLimitErrors(new MongoApiKeyStore(apiKeys)),
    checkoutSessions: withTimeLimitErrors(new MongoCheckoutSessionStore(checkoutSessions)),
    subscriptions: withTimeLimitErrors(new MongoSubscriptionStore(subscriptions)),
    invoices: withTimeLimitErrors(new MongoInvoiceStore(invoices)),
    stripeCustomers: withTimeLimitErrors(new MongoStripeCustomerStore(stripeCustomers)),
    autoTopUp: withTimeLimitErrors(new MongoAutoTopUpStore(autoTopUp)),
    topUpAttempts: withTimeLimitErrors(new MongoTopUpAttemptStore(topUpAttempts)),
    audit: withTimeLimitErrors(new MongoAuditStore(audit)),
    learnings: withTimeLimitErrors(new MongoLearningStore(learnings)),
    deliveries: withTimeLimitErrors(new MongoDeliveryInbox(deliveries)),
    ping: async () => {
      const db = conn.db;
      if (!db) throw new Error("MongoDB connection has no database");
      await db.admin().ping();
    },
    close: () => conn.close(),
  };
}
