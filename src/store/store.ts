/**
 * The bag of every persistence port, as one implementation (memory or mongo) provides them.
 * Each port is declared by the domain that owns it; this folder only implements them.
 */
import type { AccountStore } from "../accounts/account-store.js";
import type { ApiKeyStore } from "../accounts/api-key-store.js";
import type { AuditStore } from "../audit/audit-store.js";
import type { DeliveryInbox } from "../deliveries/delivery-inbox.js";
import type { AutoTopUpStore } from "../billing/auto-top-up-store.js";
import type { CheckoutSessionStore } from "../billing/checkout-session-store.js";
import type { SubscriptionStore } from "../billing/subscription-store.js";
import type { InvoiceStore } from "../billing/invoice-store.js";
import type { LearningStore } from "../learnings/learning-store.js";
import type { TopUpAttemptStore } from "../billing/top-up-attempt-store.js";
import type { StripeCustomerStore } from "../billing/stripe-customer-store.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import type { PullRequestStore, ReviewRunStore } from "../reviews/types.js";

export interface Store {
  readonly kind: "memory" | "mongo";
  readonly accounts: AccountStore;
  readonly ledger: LedgerStore;
  readonly runs: ReviewRunStore;
  readonly pullRequests: PullRequestStore;
  readonly apiKeys: ApiKeyStore;
  readonly checkoutSessions: CheckoutSessionStore;
  readonly subscriptions: SubscriptionStore;
  readonly invoices: InvoiceStore;
  readonly stripeCustomers: StripeCustomerStore;
  readonly autoTopUp: AutoTopUpStore;
  readonly topUpAttempts: TopUpAttemptStore;
  readonly audit: AuditStore;
  readonly learnings: LearningStore;
  /** GitHub deliveries recorded by the webhook, until processed (src/deliveries). */
  readonly deliveries: DeliveryInbox;
  /** Cheap round trip for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
