import { ledgerWithListing } from "../ledger-with-listing.js";
import type { Store } from "../store.js";
import { MemoryAccountStore } from "./memory-account-store.js";
import { MemoryApiKeyStore } from "./memory-api-key-store.js";
import { MemoryAuditStore } from "./memory-audit-store.js";
import { MemoryDeliveryInbox } from "./memory-delivery-inbox.js";
import { MemoryLearningStore } from "./memory-learning-store.js";
import { MemoryAutoTopUpStore } from "./memory-auto-top-up-store.js";
import { MemoryCheckoutSessionStore } from "./memory-checkout-session-store.js";
import { MemoryTopUpAttemptStore } from "./memory-top-up-attempt-store.js";
import { MemoryStripeCustomerStore } from "./memory-stripe-customer-store.js";
import { MemoryLedgerStore } from "./memory-ledger-store.js";
import { MemorySubscriptionStore } from "./memory-subscription-store.js";
import { MemoryInvoiceStore } from "./memory-invoice-store.js";
import { MemoryPullRequestStore, MemoryReviewRunStore } from "./memory-review-stores.js";

/** Everything in process memory: nothing survives a restart. Tests and try-outs only. */
export function createMemoryStore(): Store {
  const accounts = new MemoryAccountStore();
  return {
    kind: "memory",
    accounts,
    // Each append also updates the account's listing copy (ledger-with-listing.ts).
    ledger: ledgerWithListing(new MemoryLedgerStore(), accounts),
    runs: new MemoryReviewRunStore(),
    pullRequests: new MemoryPullRequestStore(),
    apiKeys: new MemoryApiKeyStore(),
    checkoutSessions: new MemoryCheckoutSessionStore(),
    subscriptions: new MemorySubscriptionStore(),
    invoices: new MemoryInvoiceStore(),
    stripeCustomers: new MemoryStripeCustomerStore(),
    autoTopUp: new MemoryAutoTopUpStore(),
    topUpAttempts: new MemoryTopUpAttemptStore(),
    audit: new MemoryAuditStore(),
    learnings: new MemoryLearningStore(),
    deliveries: new MemoryDeliveryInbox(),
    ping: async () => {},
    close: async () => {},
  };
}
