import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import { planMonthKey } from "../../src/ledger/plan-bucket.js";
import {
  billingHarness,
  mockSessionOfPayment,
  recordCheckout,
  signedStripeDelivery,
  STRIPE_API,
  type BillingHarness,
} from "../support/stripe-test-kit.js";

/**
 * Stripe's invoice events kept as the account's invoices: matched by the stored customer,
 * newest state kept whatever the order and however often each event comes, a package's
 * invoice linked to its purchase only through a Checkout Session Jasper recorded.
 */
const acme = toAccountId(9001);
const other = toAccountId(9002);
const CUSTOMER = "cus_TAcme9001";
const OTHER_CUSTOMER = "cus_TOther9002";
const PI = "pi_3Jasper0Growth9001";
const SESSION = "cs_test_a1Jasper0Growth9001";
const INVOICE = "in_1Jasper0Growth9001";
const CREATED = 1_795_000_000;

/** A one-off (Checkout) invoice as stripe-node 23 (API 2026-10-28) types it. */
const invoice = (over: Partial<Stripe.Invoice> = {}) =>
  ({
    id: INVOICE,
    object: "invoice",
    account_country: "US",
    amount_due: 14700,
    amount_paid: 0,
    amount_remaining: 14700,
    attempt_count: 0,
    billing_reason: "manual",
    collection_method: "charge_automatically",
    created: CREATED,
    currency: "usd",
    customer: CUSTOMER,
    customer_email: "billing@acme.example",
    description: null,
    hosted_invoice_url: "https://invoice.stripe.com/i/acct_1Jasper/test_YWNjdF8x",
    invoice_pdf: "https://pay.stripe.com/invoice/acct_1Jasper/test_YWNjdF8x/pdf",
    livemode: false,
    metadata: {},
    number: "JSP-0042",
    parent: null,
    period_end: CREATED,
    period_start: CREATED,
    status: "open",
    status_transitions: {
      finalized_at: CREATED + 5,
      paid_at: null,
      voided_at: null,
      marked_uncollectible_at: null,
    },
    subtotal: 12250,
    subtotal_excluding_tax: 12250,
    total: 14700,
    total_excluding_tax: 12250,
    total_taxes: [
      {
        amount: 2450,
        tax_behavior: "exclusive",
        tax_rate_details: null,
        taxability_reason: "standard_rated",
        taxable_amount: 12250,
        type: "tax_rate_details",
      },
    ] as Stripe.Invoice.TotalTax[],
    lines: {
      object: "list",
      url: `/v1/invoices/${INVOICE}/lines`,
      has_more: false,
      data: [
        {
          id: "il_1Growth",
          object: "line_item",
          amount: 12250,
          currency: "usd",
          description: "Jasper Growth: 500 review credits",
          quantity: 1,
          period: { start: CREATED, end: CREATED },
          parent: { type: "invoice_item_details" },
        },
      ] as unknown as Stripe.InvoiceLineItem[],
    },
    ...over,
  }) satisfies Partial<Stripe.Invoice>;

const paid = (over: Partial<Stripe.Invoice> = {}) =>
  invoice({
    status: "paid",
    amount_paid: 14700,
    amount_remaining: 0,
    status_transitions: {
      finalized_at: CREATED + 5,
      // The same second as finalized: Checkout finalizes and pays at once.
      paid_at: CREATED + 5,
      voided_at: null,
      marked_uncollectible_at: null,
    },
    ...over,
  });

const event = (object: object, type: string, id: string) => ({
  id,
  object: "event",
  api_version: "2026-10-28",
  created: CREATED + 10,
  type,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: { object },
});

/** GET /v1/invoice_payments?invoice=...: the invoice's payment by its payment intent. */
function mockInvoicePayment(invoiceId: string, paymentIntent: string, times = 1): void {
  nock(STRIPE_API)
    .get("/v1/invoice_payments")
    .query({ invoice: invoiceId, limit: "10" })
    .times(times)
    .reply(200, {
      object: "list",
      url: "/v1/invoice_payments",
      has_more: false,
      data: [
        {
          id: "inpay_1Growth",
          object: "invoice_payment",
          amount_paid: 14700,
          amount_requested: 14700,
          created: CREATED + 5,
          currency: "usd",
          invoice: invoiceId,
          is_default: true,
          livemode: false,
          payment: { type: "payment_intent", payment_intent: paymentIntent },
          status: "paid",
          status_transitions: { canceled_at: null, paid_at: CREATED + 5 },
        } satisfies Partial<Stripe.InvoicePayment>,
      ],
    });
}

const session = { id: SESSION, object: "checkout.session", payment_intent: PI };

describe("Stripe webhook: invoice events kept for the invoice list", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  afterEach(() => h?.server.close());

  beforeEach(async () => {
    h = await billingHarness({ captureLogs: true });
    for (const [accountId, customerId] of [
      [acme, CUSTOMER],
      [other, OTHER_CUSTOMER],
    ] as const) {
      await h.store.stripeCustomers.record({
        accountId,
        customerId,
        createdAt: new Date("2026-11-01T00:00:00Z"),
      });
    }
  });

  const deliver = async (e: unknown) => {
    const res = await h.server.inject(signedStripeDelivery(e));
    expect(res.statusCode).toBe(200);
    return res.json().result as string;
  };
  const kept = (account = acme, id = INVOICE) => h.store.invoices.find(account, id);

  it("keeps a package's invoice paid, each event twice and finalized last", async () => {
    await recordCheckout(h.store);
    // Each paid delivery finds the purchase through Stripe: the payment, then its session.
    mockInvoicePayment(INVOICE, PI, 2);
    mockSessionOfPayment(PI, session);
    mockSessionOfPayment(PI, session);
    const paidEvent = event(paid(), "invoice.paid", "evt_1Paid");
    const finalized = event(invoice(), "invoice.finalized", "evt_1Finalized");
    expect(await deliver(paidEvent)).toBe("invoice_recorded");
    expect(await deliver(finalized)).toBe("invoice_outdated");
    expect(await deliver(finalized)).toBe("invoice_outdated");
    expect(await deliver(paidEvent)).toBe("invoice_outdated");
    expect(await kept()).toStrictEqual({
      accountId: acme,
      invoiceId: INVOICE,
      customerId: CUSTOMER,
      number: "JSP-0042",
      status: "paid",
      createdAt: new Date(CREATED * 1000),
      issuedAt: new Date((CREATED + 5) * 1000),
      paidAt: new Date((CREATED + 5) * 1000),
      subtotal: 12250,
      tax: 2450,
      total: 14700,
      currency: "usd",
      lines: [
        {
          description: "Jasper Growth: 500 review credits",
          amount: 12250,
          quantity: 1,
          periodStart: new Date(CREATED * 1000),
          periodEnd: new Date(CREATED * 1000),
        },
      ],
      hostedInvoiceUrl: "https://invoice.stripe.com/i/acct_1Jasper/test_YWNjdF8x",
      invoicePdf: "https://pay.stripe.com/invoice/acct_1Jasper/test_YWNjdF8x/pdf",
      grantKey: `stripe-checkout:${SESSION}`,
      version: expect.any(Number),
    });
  });

  it("in order, finalized then paid: the open invoice becomes paid", async () => {
    await recordCheckout(h.store);
    mockInvoicePayment(INVOICE, PI);
    mockSessionOfPayment(PI, session);
    expect(await deliver(event(invoice(), "invoice.finalized", "evt_1Fin"))).toBe(
      "invoice_recorded",
    );
    expect((await kept())?.status).toBe("open");
    expect((await kept())?.grantKey).toBeNull();
    expect(await deliver(event(paid(), "invoice.paid", "evt_1Paid"))).toBe("invoice_recorded");
    expect(await kept()).toMatchObject({ status: "paid", grantKey: `stripe-checkout:${SESSION}` });
  });

  it("Stripe unreachable: 500 and nothing stored; the redelivery stores it", async () => {
    await recordCheckout(h.store);
    nock(STRIPE_API)
      .get("/v1/invoice_payments")
      .query(true)
      .reply(500, {
        error: { type: "api_error", message: "down" },
      });
    const paidEvent = event(paid(), "invoice.paid", "evt_1Paid");
    const failed = await h.server.inject(signedStripeDelivery(paidEvent));
    expect(failed.statusCode).toBe(500);
    expect(await kept()).toBeNull();
    mockInvoicePayment(INVOICE, PI);
    mockSessionOfPayment(PI, session);
    expect(await deliver(paidEvent)).toBe("invoice_recorded");
    expect(await kept()).toMatchObject({ status: "paid", grantKey: `stripe-checkout:${SESSION}` });
  });

  it("names no purchase for a payment whose session is another account's", async () => {
    await recordCheckout(h.store, { accountId: other });
    mockInvoicePayment(INVOICE, PI);
    mockSessionOfPayment(PI, session);
    expect(await deliver(event(paid(), "invoice.paid", "evt_1Paid"))).toBe("invoice_recorded");
    expect((await kept())?.grantKey).toBeNull();
  });

  it("ignores an invoice of a customer Jasper did not create: 2xx, logged, nothing stored", async () => {
    const foreign = paid({ customer: "cus_TSomeoneElse" });
    expect(await deliver(event(foreign, "invoice.paid", "evt_1Foreign"))).toBe("ignored");
    expect(await deliver(event(foreign, "invoice.paid", "evt_1Foreign"))).toBe("ignored");
    expect(await kept()).toBeNull();
    expect(await h.store.invoices.list(acme, { limit: 10 })).toEqual([]);
    expect(await h.store.invoices.list(other, { limit: 10 })).toEqual([]);
    const line = h.logs.find((l) => l.msg === "Stripe event ignored");
    expect(line).toMatchObject({ reason: "not_ours" });
    // Metadata naming an account is not a match either.
    const labelled = paid({ customer: "cus_TSomeoneElse", metadata: { jasperAccountId: "9001" } });
    expect(await deliver(event(labelled, "invoice.paid", "evt_1Labelled"))).toBe("ignored");
    expect(await kept()).toBeNull();
  });

  it("refuses a malformed invoice without storing anything", async () => {
    const bad = { ...invoice(), total_taxes: "lots" };
    expect(await deliver(event(bad, "invoice.finalized", "evt_1Bad"))).toBe("ignored");
    expect(await kept()).toBeNull();
  });

  it("a subscription's invoice: failed then paid, voided ones stay void, out of order", async () => {
    const start = 1_796_000_000;
    const sub = (over: Partial<Stripe.Invoice>) =>
      invoice({
        id: "in_1Renewal",
        billing_reason: "subscription_cycle",
        parent: {
          type: "subscription_details",
          quote_details: null,
          subscription_details: { subscription: "sub_1Acme", metadata: null },
        } as Stripe.Invoice.Parent,
        created: start,
        lines: {
          object: "list",
          url: "/v1/invoices/in_1Renewal/lines",
          has_more: false,
          data: [
            {
              id: "il_1Pro",
              object: "line_item",
              amount: 4900,
              currency: "usd",
              description: "1 × Pro (at $49.00 / month)",
              quantity: 1,
              period: { start, end: start + 30 * 86_400 },
              parent: { type: "subscription_item_details" },
            },
          ] as unknown as Stripe.InvoiceLineItem[],
        },
        ...over,
      });
    const t = (finalized: number, paidAt: number | null) => ({
      finalized_at: start + finalized,
      paid_at: paidAt === null ? null : start + paidAt,
      voided_at: null,
      marked_uncollectible_at: null,
    });
    const failed = sub({ status: "open", status_transitions: t(60, null) });
    const paidLater = sub({ status: "paid", status_transitions: t(60, 86_400) });
    // Paid first (Stripe's retry succeeded), then the earlier failure, each twice.
    for (let i = 0; i < 2; i++) {
      await deliver(event(paidLater, "invoice.paid", "evt_1RenewalPaid"));
      await deliver(event(failed, "invoice.payment_failed", "evt_1RenewalFailed"));
    }
    expect(await kept(acme, "in_1Renewal")).toMatchObject({
      status: "paid",
      paidAt: new Date((start + 86_400) * 1000),
      grantKey: planMonthKey("sub_1Acme", new Date(start * 1000)),
    });

    // Marked uncollectible, then paid after all: paid stays, whichever comes last.
    const gaveUp = sub({
      id: "in_1Late",
      status: "uncollectible",
      status_transitions: { ...t(60, null), marked_uncollectible_at: start + 900 },
    });
    const paidAfter = sub({
      id: "in_1Late",
      status: "paid",
      status_transitions: { ...t(60, 1_800), marked_uncollectible_at: start + 900 },
    });
    await deliver(event(paidAfter, "invoice.paid", "evt_1LatePaid"));
    expect(await deliver(event(gaveUp, "invoice.marked_uncollectible", "evt_1GaveUp"))).toBe(
      "invoice_outdated",
    );
    expect((await kept(acme, "in_1Late"))?.status).toBe("paid");

    // Voided in the second it was finalized: void wins over open.
    const opened = sub({ id: "in_1Void", status: "open", status_transitions: t(60, null) });
    const voided = sub({
      id: "in_1Void",
      status: "void",
      status_transitions: { ...t(60, null), voided_at: start + 60 },
    });
    await deliver(event(voided, "invoice.voided", "evt_1Voided"));
    await deliver(event(opened, "invoice.finalized", "evt_1Opened"));
    expect((await kept(acme, "in_1Void"))?.status).toBe("void");
  });

  it("reads every line from Stripe when the event carries only the first", async () => {
    const many = invoice({
      lines: { ...invoice().lines, has_more: true },
    });
    nock(STRIPE_API)
      .get(`/v1/invoices/${INVOICE}/lines`)
      .query({ limit: "100" })
      .reply(200, {
        object: "list",
        url: `/v1/invoices/${INVOICE}/lines`,
        has_more: false,
        data: [
          ...invoice().lines.data,
          {
            id: "il_2Extra",
            object: "line_item",
            amount: 0,
            currency: "usd",
            description: "Bonus",
            quantity: 2,
            period: { start: CREATED, end: CREATED },
            parent: null,
          },
        ],
      });
    expect(await deliver(event(many, "invoice.finalized", "evt_1Many"))).toBe("invoice_recorded");
    expect((await kept())?.lines.map((l) => l.description)).toEqual([
      "Jasper Growth: 500 review credits",
      "Bonus",
    ]);
  });
});
