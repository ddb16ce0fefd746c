import mongoose from "mongoose";
import type { Store } from "../store.js";
import { accountModel } from "./models/account.js";
import { apiKeyModel } from "./models/api-key.js";
import { checkoutSessionModel } from "./models/checkout-session.js";
import { ledgerEntryModel } from "./models/ledger-entry.js";
import { pullRequestModel } from "./models/pull-request.js";
import { reviewRunModel } from "./models/review-run.js";
import { MongoAccountStore } from "./mongo-account-store.js";
import { MongoApiKeyStore } from "./mongo-api-key-store.js";
import { MongoCheckoutSessionStore } from "./mongo-checkout-session-store.js";
import { MongoLedgerStore } from "./mongo-ledger-store.js";
import { MongoPullRequestStore } from "./mongo-pull-request-store.js";
import { MongoReviewRunStore } from "./mongo-review-run-store.js";

/**
 * Connects to MongoDB and returns the store once its indexes exist: the unique indexes are
 * what keeps two writers from spending the same credit, so no write may happen before them.
 */
export async function createMongoStore(uri: string): Promise<Store> {
  // Filters built from input (an idempotency key, a login) stay values: an object such as
  // { $ne: "" } passed where a string was expected is wrapped in $eq instead of matching
  // everything. The stores mark their own operators with mongoose.trusted().
  mongoose.set("sanitizeFilter", true);
  // A filter on a field the schema does not know is a bug: fail loudly rather than drop the
  // condition and match more than was asked for.
  mongoose.set("strictQuery", "throw");

  // A connection of our own rather than mongoose's global one, so that nothing else in the
  // process shares (or closes) it.
  const conn = await mongoose
    .createConnection(uri, {
      // Balances are read and then written on: a secondary's stale copy must never be used.
      // Given here, it wins over a readPreference in the URI.
      readPreference: "primary",
      // We build the indexes below and wait for them, instead of mongoose in the background.
      autoIndex: false,
    })
    .asPromise();

  try {
    const entries = ledgerEntryModel(conn);
    const accounts = accountModel(conn);
    const runs = reviewRunModel(conn);
    const pullRequests = pullRequestModel(conn);
    const apiKeys = apiKeyModel(conn);
    const checkoutSessions = checkoutSessionModel(conn);
    // createIndexes only adds missing indexes; unlike syncIndexes it never drops one, so a
    // deploy with an older schema cannot remove an index a newer one relies on.
    await entries.createIndexes();
    await accounts.createIndexes();
    // Their unique indexes deduplicate review runs and the "reviews paused" comment.
    await runs.createIndexes();
    await pullRequests.createIndexes();
    // API keys are looked up by their hash, which must be unique.
    await apiKeys.createIndexes();
    // A Stripe payment is granted only for a recorded session, and a refund finds its
    // purchase by payment intent: both unique.
    await checkoutSessions.createIndexes();

    return {
      kind: "mongo",
      accounts: new MongoAccountStore(accounts),
      ledger: new MongoLedgerStore(entries),
      runs: new MongoReviewRunStore(runs),
      pullRequests: new MongoPullRequestStore(pullRequests),
      apiKeys: new MongoApiKeyStore(apiKeys),
      checkoutSessions: new MongoCheckoutSessionStore(checkoutSessions),
      ping: async () => {
        const db = conn.db;
        if (!db) throw new Error("MongoDB connection has no database");
        await db.admin().ping();
      },
      close: () => conn.close(),
    };
  } catch (err) {
    await conn.close();
    throw err;
  }
}
