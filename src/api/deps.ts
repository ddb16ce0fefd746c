import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from "fastify";
import type { Redis } from "ioredis";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Ledger } from "../ledger/ledger.js";
import type { AccountStore } from "../accounts/account-store.js";
import type { ApiKeyStore } from "../accounts/api-key-store.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { Runway } from "../usage/runway.js";
import type { UsageGrouping, UsageReport } from "../usage/usage-report.js";
import type { AccountId } from "../accounts/types.js";
import type { ReviewRunStore } from "../reviews/types.js";
import type { GitHubAuth } from "./auth/github-auth.js";
import type { LearningStore } from "../learnings/learning-store.js";

// One definition each, where checkout and packages are made (src/billing).
export type { CheckoutInput, CheckoutResult } from "../billing/create-checkout.js";
export type { CreditPackage } from "../billing/packages.js";
import type { CheckoutInput, CheckoutResult } from "../billing/create-checkout.js";
import type { CreditPackage } from "../billing/packages.js";
import type { BalanceValue, MonthSpend } from "../billing/spend.js";
import type { InvoiceList } from "../billing/invoice-list.js";
import type { CardSetup } from "../billing/card-setup.js";
import type { AutoTopUpAdmin } from "../administration/auto-top-up-settings.js";
import type { PaymentMethods } from "../administration/payment-method.js";
import type { BillingStatusOf } from "../billing/billing-status.js";
import type { SubscriptionCheckout } from "../billing/subscription-checkout.js";
import type { SubscriptionChanges } from "../billing/subscription-changes.js";

export interface BillingApiDeps {
  accounts: AccountStore;
  ledger: Pick<
    Ledger,
    "summary" | "list" | "export" | "monthUse" | "monthCounters" | "monthTotals" | "pullRequestRuns"
  >;
  apiKeys: ApiKeyStore;
  /** Settings changes and API keys are recorded here; admins read it (GET .../audit-log). */
  audit: AuditLog;
  /** What the team taught the reviewer (GET, DELETE .../learnings). */
  learnings: Pick<LearningStore, "list" | "remove">;
  packages: readonly CreditPackage[];
  /** The free credits every account gets a month (FREE_REVIEWS_PER_MONTH), for the calculator. */
  freeReviewsPerMonth: number;
  checkout(input: CheckoutInput): Promise<CheckoutResult>;
  /** A Stripe Checkout page in setup mode where an admin saves a card for auto top-up. */
  cardSetup: CardSetup;
  /** The saved card: shown, and removed (auto top-up goes off with it). */
  paymentMethods: PaymentMethods;
  /** Auto top-up's settings, read and changed by an admin. */
  autoTopUp: AutoTopUpAdmin;
  /** The plan, its subscription's state and the seats used (GET .../billing/status). */
  billingStatus: BillingStatusOf;
  /** A Stripe Checkout in subscription mode for a plan (POST .../billing/subscription). */
  subscriptionCheckout: SubscriptionCheckout;
  /** The admin's changes to the subscription, and the billing portal. */
  subscriptionChanges: SubscriptionChanges;
  github: GitHubAuth;
  /**
   * Where the rate limit's counters live, so that every web process shares them: the
   * producer connection. Keys start with `${redisPrefix}:api-rate:`.
   */
  redis: Redis;
  /** Per deployment (and per test): compose's queue prefix. */
  redisPrefix: string;
  /**
   * Requests per credential (else per client address) and window, default 300 a minute; and
   * failed authentications per client address and window, default 30.
   */
  rateLimit?: { max: number; timeWindowMs: number; failedAuthMax?: number };
  /** Review runs, for the reviews Jasper stopped (GET .../reviews/paused). */
  runs: Pick<ReviewRunStore, "listPaused">;
  /** A pull request's web page (github/pull-request-url.ts: GitHub Enterprise has its own). */
  pullRequestUrl(repository: string, number: number): string;
  /** One month's usage, grouped (src/usage/usage-report.ts over the ledger store). */
  usage(accountId: AccountId, month: string, by: UsageGrouping): Promise<UsageReport>;
  /** Money paid for credits this month and last month (src/billing/spend.ts). */
  spend(accountId: AccountId, currency: string): Promise<[MonthSpend, MonthSpend]>;
  /** The balance's value in the account's currency (src/billing/spend.ts); null: unknown. */
  balanceValue?(
    accountId: AccountId,
    balance: number,
    currency: string,
  ): Promise<BalanceValue | null>;
  /** The account's Stripe invoices, newest first, from the invoice store (invoice-list.ts). */
  invoices: InvoiceList;
  /** When the balance runs out at the last 14 days' pace (src/usage/runway.ts). */
  runway?(accountId: AccountId, balance: number): Promise<Runway>;
  /** The clock (the current month of the usage route); default the system's. */
  now?: () => Date;
  /** The name people command the bot by, for the "paused" banner; default "jasper". */
  botName?: string;
  /** The settings the dashboard's sign-in lacks, for GET /dashboard/status; default none. */
  missingSignInSettings?: readonly string[];
  /** The App's installation page on GitHub, for GET /dashboard/status; default unknown. */
  installUrl?: string;
}

/** The Fastify instance routes are declared on: zod schemas give the request and reply types. */
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;
