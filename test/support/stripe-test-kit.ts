/**
 * Shared by the billing tests: Stripe fixtures, signed deliveries, and a server with only the
 * Stripe webhook route on it. Stripe's API is mocked with nock on api.stripe.com.
 */
import { createAuditLog } from "../../src/audit/audit-log.js";
import { createLedgerAuditor } from "../../src/audit/ledger-audit.js";
import { readFileSync } from "node:fs";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import nock from "nock";
import Stripe from "stripe";
import { pino } from "pino";
import { toAccountId } from "../../src/accounts/types.js";
import type { NewCheckoutRecord } from "../../src/billing/checkout-session-store.js";
import { createFixCurrency } from "../../src/billing/fix-currency.js";
import { createStripeEvents } from "../../src/billing/stripe-events.js";
import { createInvoiceEvents } from "../../src/billing/invoice-events.js";
import { createTopUpPaymentEvents } from "../../src/billing/top-up-payment-events.js";
import { DEFAULT_PACKAGES, type CreditPackage } from "../../src/billing/packages.js";
import { STRIPE_WEBHOOK_PATH, stripeWebhookRoute } from "../../src/billing/stripe-webhook-route.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";

export const STRIPE_API = "https://api.stripe.com";
export const WEBHOOK_SECRET = "whsec_jasper_test_secret";

/** No retries in tests: a call nock does not expect should fail the test at once. */
export const testStripe = (): Stripe => new Stripe("sk_test_jasper", { maxNetworkRetries: 0 });

export function stripeFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/stripe/${name}.json`, import.meta.url), "utf8"),
  ) as T;
}

/** A Stripe event as it travels: only what the tests change is typed. */
export interface EventFixture {
  id: string;
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  [field: string]: unknown;
}

/** An event fixture with a new type and id, and fields of its data.object replaced. */
export function stripeEvent(
  fixture: string,
  changes: { type?: string; id?: string; object?: Record<string, unknown> } = {},
): EventFixture {
  const event = stripeFixture<EventFixture>(fixture);
  return {
    ...event,
    id: changes.id ?? event.id,
    type: changes.type ?? event.type,
    data: { ...event.data, object: { ...event.data.object, ...changes.object } },
  };
}

/** The request Stripe would send: the exact body bytes, signed with the endpoint secret. */
export function signedStripeDelivery(
  event: unknown,
  options: { secret?: string; timestamp?: number; body?: (signed: string) => string } = {},
) {
  const payload = JSON.stringify(event, null, 2);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRET,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return {
    method: "POST" as const,
    url: STRIPE_WEBHOOK_PATH,
    payload: options.body ? options.body(payload) : payload,
    headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": signature },
  };
}

export interface BillingHarness {
  server: FastifyInstance;
  store: Store;
  ledger: Ledger;
  stripe: Stripe;
  /** What the server logged, one parsed pino line each (when `captureLogs` was set). */
  logs: LogLine[];
  /** The same lines as written. */
  rawLogs: string[];
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface BillingHarnessOptions {
  ledger?: (ledger: Ledger) => Pick<Ledger, "grant" | "adjust" | "takeBack">;
  /** The packages on sale now; default DEFAULT_PACKAGES. */
  packages?: CreditPackage[];
  /** Log at debug level into `logs` and `rawLogs`. */
  captureLogs?: boolean;
  /** The server's bodyLimit, to show the webhook keeps its own. */
  serverBodyLimit?: number;
  /** Wire the PaymentIntent events of automatic top-ups, as http.ts does. */
  autoTopUp?: boolean;
}

/**
 * A server with the Stripe webhook route, an in-memory ledger without a free tier (so every
 * credit in a test is a purchased one), and an ordinary JSON route next to it that shows the
 * raw-body parser stays inside the webhook's scope.
 */
export async function billingHarness(options: BillingHarnessOptions = {}): Promise<BillingHarness> {
  const store = createMemoryStore();
  const ledger = new Ledger({ store: store.ledger, freePerMonth: 0 });
  const stripe = testStripe();
  // As the wiring does: the first payment fixes the currency, audited once.
  const fixCurrency = createFixCurrency({
    accounts: store.accounts,
    audit: createAuditLog({ store: store.audit }),
  });
  const events = createStripeEvents({
    stripe,
    ledger: options.ledger ? options.ledger(ledger) : ledger,
    sessions: store.checkoutSessions,
    purchases: store.ledger,
    packages: options.packages ?? [...DEFAULT_PACKAGES],
    // As compose.ts wires it: purchases and Stripe refunds go into the audit log.
    audit: createLedgerAuditor(createAuditLog({ store: store.audit })),
    fixCurrency,
    // As http.ts wires it: invoice events kept for the invoice list.
    invoices: createInvoiceEvents({
      stripe,
      customers: store.stripeCustomers,
      invoices: store.invoices,
      sessions: store.checkoutSessions,
    }),
    ...(options.autoTopUp && {
      topUps: createTopUpPaymentEvents({
        ledger,
        attempts: store.topUpAttempts,
        customers: store.stripeCustomers,
        packages: options.packages ?? [...DEFAULT_PACKAGES],
        audit: createAuditLog({ store: store.audit }),
        auditEntry: createLedgerAuditor(createAuditLog({ store: store.audit })),
        fixCurrency,
      }),
    }),
  });
  const rawLogs: string[] = [];
  const logs: LogLine[] = [];
  const logger: FastifyBaseLogger | undefined = options.captureLogs
    ? pino(
        { level: "debug" },
        {
          write(line: string) {
            rawLogs.push(line);
            logs.push(JSON.parse(line) as LogLine);
          },
        },
      )
    : undefined;
  const server = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    ...(options.serverBodyLimit === undefined ? {} : { bodyLimit: options.serverBodyLimit }),
  });
  await server.register(stripeWebhookRoute({ webhookSecret: WEBHOOK_SECRET, stripe, events }));
  server.post("/echo", async (request) => ({ body: request.body }));
  await server.ready();
  return { server, store, ledger, stripe, logs, rawLogs };
}

/**
 * Records a Checkout Session as create-checkout.ts does, by default the fixture's: Growth
 * (500 credits, $122.50) for account 9001.
 */
export async function recordCheckout(
  store: Store,
  overrides: Partial<NewCheckoutRecord> = {},
): Promise<NewCheckoutRecord> {
  const session: NewCheckoutRecord = {
    sessionId: "cs_test_a1Jasper0Growth9001",
    accountId: toAccountId(9001),
    packageId: "growth",
    credits: 500,
    priceCents: 12250,
    currency: "usd",
    createdAt: new Date("2026-11-16T10:00:00Z"),
    ...overrides,
  };
  await store.checkoutSessions.record(session);
  return session;
}

/**
 * GET /v1/payment_intents/:id?expand[0]=latest_charge, `times` times, and as often the
 * payment's refunds, which every grant lists: `refunds` (none by default), of the charge
 * named like the payment intent; null when the test mocks them itself.
 */
export function mockPaymentIntent(
  id: string,
  receiptUrl:
    string | null = "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xSmFzcGVyVGVzdDAwMDEo",
  times = 1,
  refunds: RefundStub[] | null = [],
): void {
  const pi = stripeFixture<{ latest_charge: Record<string, unknown> }>(
    "payment_intent.with_latest_charge",
  );
  const charge = id.replace(/^pi_/, "ch_");
  nock(STRIPE_API)
    .get(`/v1/payment_intents/${id}`)
    .query({ "expand[0]": "latest_charge" })
    .times(times)
    .reply(200, {
      ...pi,
      id,
      latest_charge: {
        ...pi.latest_charge,
        id: charge,
        payment_intent: id,
        receipt_url: receiptUrl,
        amount_refunded: (refunds ?? []).reduce((sum, r) => sum + r.amount, 0),
      },
    });
  for (let i = 0; refunds && i < times; i++) {
    mockRefundList({ paymentIntent: id, charge }, refunds);
  }
}

export interface RefundStub {
  id: string;
  amount: number;
  status: string;
  created: number;
}

/**
 * GET /v1/refunds?payment_intent=...: one page holding these refunds, all of the charge
 * `charge` (what Jasper lists when it takes a payment's refunds back).
 */
export function mockRefundList(
  payment: { paymentIntent: string; charge: string },
  refunds: RefundStub[],
): void {
  nock(STRIPE_API)
    .get("/v1/refunds")
    .query({ payment_intent: payment.paymentIntent, limit: "100" })
    .reply(200, refundPage(payment, refunds));
}

const refundPage = (payment: { paymentIntent: string; charge: string }, refunds: RefundStub[]) => ({
  object: "list",
  url: "/v1/refunds",
  has_more: false,
  data: refunds.map((r) => refundObject(payment, r)),
});

/** A Refund as stripe-node 23 (API 2026-10-28) types it, with the fields Jasper reads. */
export function refundObject(
  payment: { paymentIntent: string; charge: string },
  refund: RefundStub,
): Record<string, unknown> {
  return {
    object: "refund",
    currency: "usd",
    charge: payment.charge,
    payment_intent: payment.paymentIntent,
    metadata: {},
    reason: "requested_by_customer",
    ...refund,
  } satisfies Partial<Stripe.Refund>;
}

/** GET /v1/checkout/sessions?payment_intent=...: the session Stripe holds for it, or none. */
export function mockSessionOfPayment(
  paymentIntent: string,
  session: Record<string, unknown> | null,
): void {
  nock(STRIPE_API)
    .get("/v1/checkout/sessions")
    .query({ payment_intent: paymentIntent, limit: "1" })
    .reply(200, {
      object: "list",
      url: "/v1/checkout/sessions",
      has_more: false,
      data: session ? [session] : [],
    });
}

/**
 * Stripe's side of one purchase, for as long as the test runs: the Checkout Session (found by
 * its payment intent), the payment intent with its latest charge, the charge, and its refunds,
 * each answered from `state` when asked, so a test moves Stripe on by changing it (a pending
 * refund succeeds). The interceptors persist: nock.cleanAll() removes them.
 */
export interface StripePurchaseState {
  /** The Checkout Session as Stripe's API answers it. */
  session: Record<string, unknown> & { payment_intent: string };
  /** The payment's charge, without amount_refunded: that follows from `refunds`. */
  charge: Record<string, unknown> & { id: string };
  refunds: RefundStub[];
}

export function serveStripePurchase(state: StripePurchaseState): void {
  const payment = () => ({ paymentIntent: state.session.payment_intent, charge: state.charge.id });
  // Counted as refunded here: the refunds that have not failed or been canceled.
  const charge = () => ({
    ...state.charge,
    amount_refunded: state.refunds
      .filter((r) => r.status !== "failed" && r.status !== "canceled")
      .reduce((sum, r) => sum + r.amount, 0),
  });
  const pi = stripeFixture<Record<string, unknown>>("payment_intent.with_latest_charge");
  nock(STRIPE_API)
    .persist()
    .get("/v1/checkout/sessions")
    .query({ payment_intent: state.session.payment_intent, limit: "1" })
    .reply(200, () => ({
      object: "list",
      url: "/v1/checkout/sessions",
      has_more: false,
      data: [state.session],
    }))
    .get(`/v1/payment_intents/${state.session.payment_intent}`)
    .query({ "expand[0]": "latest_charge" })
    .reply(200, () => ({ ...pi, id: state.session.payment_intent, latest_charge: charge() }))
    .get(`/v1/charges/${state.charge.id}`)
    .reply(200, () => charge())
    .get("/v1/refunds")
    .query({ payment_intent: state.session.payment_intent, limit: "100" })
    .reply(200, () => refundPage(payment(), state.refunds));
}
