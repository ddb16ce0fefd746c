import type { FastifyInstance } from "fastify";
import { createGitHubAuth, type GitHubAuth } from "../api/auth/github-auth.js";
import { billingApi } from "../api/billing-api.js";
import type { BillingApiDeps } from "../api/deps.js";
import { operatorApi } from "../api/operator-api.js";
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import { createAutoTopUpSettings } from "../administration/auto-top-up-settings.js";
import { createPaymentMethods } from "../administration/payment-method.js";
import { createBillingStatus } from "../billing/billing-status.js";
import { createCardSetup } from "../billing/card-setup.js";
import { createCardSetupEvents } from "../billing/card-setup-events.js";
import { createRemoveCard } from "../billing/remove-card.js";
import { createStripeCustomers } from "../billing/stripe-customers.js";
import { createFixCurrency } from "../billing/fix-currency.js";
import { balanceValue, recentSpend } from "../billing/spend.js";
import { createStripeEvents } from "../billing/stripe-events.js";
import { createSubscriptionChanges } from "../billing/subscription-changes.js";
import { createSubscriptionCheckout } from "../billing/subscription-checkout.js";
import { createSubscriptionEvents } from "../billing/subscription-events.js";
import { createInvoiceEvents } from "../billing/invoice-events.js";
import { createInvoiceList } from "../billing/invoice-list.js";
import { stripeWebhookRoute } from "../billing/stripe-webhook-route.js";
import { missingSignInSettings, type Config } from "../config/env.js";
import type { ReceiveDelivery } from "../deliveries/receive-delivery.js";
import { dashboard } from "../dashboard/dashboard.js";
import { createSessionRevocations } from "../dashboard/session-revocations.js";
import { createInstallationOwnerCheck } from "../github/installation-owner.js";
import { pullRequestUrlOn } from "../github/pull-request-url.js";
import { createPlanPaymentFailedQueue } from "../notifications/plan-payment-failed.js";
import { notificationsKeptMs } from "../queue/queues.js";
import type { Operators } from "../operators/operators.js";
import { createServer } from "../server/create-server.js";
import { runwayOf } from "../usage/runway.js";
import { usageReport } from "../usage/usage-report.js";
import type { Money } from "./money.js";
import { planMonthDeps, plansOf } from "./plan-months.js";
import type { Payments } from "./top-ups.js";
import { queuePrefixOf, type Adapters, type MoneyAdapters, type Tuning } from "./types.js";

/**
 * The billing API's dependencies, built one way for the server and for the OpenAPI generator
 * (src/cli/openapi-document.ts), so the document describes the API the server runs.
 */
export function billingApiDeps(
  config: Config,
  a: MoneyAdapters,
  t: Tuning,
  money: Pick<Money, "ledger" | "audit">,
  outside: Pick<BillingApiDeps, "checkout"> & { githubAuth: GitHubAuth; stripe: Stripe | null },
): BillingApiDeps {
  const { store } = a;
  const { stripe } = outside;
  const botName = config.BOT_NAME;
  const customers = createStripeCustomers({ stripe, store: store.stripeCustomers, now: t.now });
  const plans = plansOf(config);
  const billingCurrency = async (id: AccountId) =>
    (await store.accounts.get(id))?.billingCurrency ?? null;
  return {
    accounts: store.accounts,
    ledger: money.ledger,
    apiKeys: store.apiKeys,
    audit: money.audit,
    learnings: store.learnings,
    packages: config.CREDIT_PACKAGES,
    freeReviewsPerMonth: config.FREE_REVIEWS_PER_MONTH,
    checkout: outside.checkout,
    cardSetup: createCardSetup({ stripe, customers, publicUrl: config.PUBLIC_URL }),
    paymentMethods: createPaymentMethods({
      customers: store.stripeCustomers,
      removeCard: createRemoveCard({ stripe, store: store.stripeCustomers }),
      autoTopUp: store.autoTopUp,
      audit: money.audit,
      now: t.now,
    }),
    autoTopUp: createAutoTopUpSettings({
      store: store.autoTopUp,
      customers: store.stripeCustomers,
      packages: config.CREDIT_PACKAGES,
      billingCurrency,
      audit: money.audit,
      // In flight: recorded and its payment not settled (top-up-attempt-store.ts). Asked
      // for those created since the latest Date there is, recent() lists only those in flight.
      attempts: store.topUpAttempts,
      topUpPending: async (accountId) =>
        (await store.topUpAttempts.recent(accountId, new Date(8.64e15))).some(
          (attempt) => attempt.state === "in_flight",
        ),
      now: t.now,
    }),
    billingStatus: createBillingStatus({
      subscriptions: store.subscriptions,
      ledger: store.ledger,
      plans,
      stripeConfigured: stripe !== null,
      now: t.now ?? (() => new Date()),
    }),
    subscriptionChanges: createSubscriptionChanges({
      stripe,
      customers: store.stripeCustomers,
      planMonths: planMonthDeps(config, a, t, money.ledger),
      publicUrl: config.PUBLIC_URL,
    }),
    subscriptionCheckout: createSubscriptionCheckout({
      stripe,
      customers,
      subscriptions: store.subscriptions,
      plans,
      publicUrl: config.PUBLIC_URL,
      automaticTax: config.STRIPE_AUTOMATIC_TAX,
      billingCurrency,
    }),
    github: outside.githubAuth,
    missingSignInSettings: missingSignInSettings(config),
    // The App's slug is the bot's name (its bot user is `${botName}[bot]`).
    installUrl: `${config.github.web}/apps/${botName}/installations/new`,
    redis: a.redis,
    redisPrefix: queuePrefixOf(t),
    botName,
    rateLimit: t.apiRateLimit,
    runs: store.runs,
    pullRequestUrl: pullRequestUrlOn(config.github.web),
    usage: (accountId, month, by) => usageReport(store.ledger, accountId, month, by),
    spend: (accountId, currency) =>
      recentSpend(
        { ledger: money.ledger, sessions: store.checkoutSessions },
        accountId,
        (t.now ?? (() => new Date()))(),
        currency,
      ),
    balanceValue: (accountId, balance, currency) =>
      balanceValue(
        { ledger: money.ledger, sessions: store.checkoutSessions },
        accountId,
        balance,
        currency,
      ),
    invoices: createInvoiceList({ invoices: store.invoices, ledger: store.ledger }),
    runway: (accountId, balance) =>
      runwayOf(store.ledger, accountId, balance, (t.now ?? (() => new Date()))()),
    now: t.now,
  };
}

/**
 * The web role: the GitHub webhook (recorded and queued for the deliveries worker), the
 * Stripe webhook, the billing API, the operator API (only with its token), the dashboard and
 * health.
 */
export function wireHttp(
  config: Config,
  a: Adapters,
  t: Tuning,
  parts: { receive: ReceiveDelivery; money: Money; operators: Operators; payments: Payments },
) {
  const { store } = a;
  const { money, operators } = parts;
  const { stripe, checkout } = parts.payments;
  const packages = config.CREDIT_PACKAGES;
  // One token check (and one cache) for the API and the dashboard's sign-in.
  const githubAuth = a.githubAuth ?? createGitHubAuth({ baseUrl: config.github.api });
  // Every first payment (a package, a subscription's invoice) fixes the billing currency.
  const fixCurrency = createFixCurrency({ accounts: store.accounts, audit: money.audit });
  const sessions = createSessionRevocations(a.redis, {
    prefix: queuePrefixOf(t),
    hours: config.SESSION_HOURS,
  });

  const server = (): Promise<FastifyInstance> =>
    createServer({
      probot: a.probot,
      receive: parts.receive,
      store,
      installationOwner: createInstallationOwnerCheck(store.accounts),
      log: a.log,
      trustProxy: config.TRUST_PROXY,
      readiness: { redis: () => a.redis.ping() },
      plugins: [
        // First: its session is what the billing API reads as the dashboard's credential.
        dashboard({ config, githubAuth, sessions }),
        billingApi(billingApiDeps(config, a, t, money, { checkout, githubAuth, stripe })),
        // The operator API exists only with its token: without one, its paths are 404s.
        ...(config.OPERATOR_TOKEN
          ? [
              operatorApi({
                token: config.OPERATOR_TOKEN,
                operators,
                accounts: store.accounts,
                audit: money.audit,
              }),
            ]
          : []),
        stripeWebhookRoute({
          webhookSecret: config.STRIPE_WEBHOOK_SECRET,
          stripe,
          events: stripe
            ? createStripeEvents({
                stripe,
                ledger: money.ledger,
                sessions: store.checkoutSessions,
                purchases: store.ledger,
                packages,
                audit: money.auditLedgerEntry,
                fixCurrency,
                invoices: createInvoiceEvents({
                  stripe,
                  customers: store.stripeCustomers,
                  invoices: store.invoices,
                  sessions: store.checkoutSessions,
                }),
                topUps: parts.payments.topUpEvents,
                subscriptions: createSubscriptionEvents({
                  stripe,
                  customers: store.stripeCustomers,
                  planMonths: planMonthDeps(config, a, t, money.ledger),
                  audit: money.audit,
                  fixCurrency,
                  // One email to the billing contacts per failed invoice.
                  onPaymentFailed: createPlanPaymentFailedQueue({
                    enqueue: money.producer.enqueuePlanPaymentFailed,
                    keptMs: notificationsKeptMs(),
                    now: t.now ?? (() => new Date()),
                    log: a.log,
                  }),
                }),
                setupCompleted: createCardSetupEvents({
                  stripe,
                  customers: store.stripeCustomers,
                  // Once per SetupIntent however often Stripe delivers its session.
                  onSaved: async (accountId, method, setupIntent) => {
                    await money.audit.record({
                      accountId,
                      actor: { kind: "stripe" },
                      action: "payment_method_saved",
                      interface: "webhook",
                      details: { brand: method.brand, last4: method.last4 },
                      idempotencyKey: `card-saved:${setupIntent}`,
                    });
                  },
                }),
              })
            : null,
        }),
      ],
    });
  return { sessions, createServer: server };
}
