import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import Fastify, { type InjectOptions } from "fastify";
import nock from "nock";
import { stripeWebhookRoute } from "../../src/billing/stripe-webhook-route.js";
import { toAccountId } from "../../src/accounts/types.js";
import {
  billingHarness,
  mockPaymentIntent,
  mockRefundList,
  recordCheckout,
  signedStripeDelivery,
  STRIPE_API,
  stripeEvent,
  testStripe,
  WEBHOOK_SECRET,
  type BillingHarness,
  type BillingHarnessOptions,
} from "../support/stripe-test-kit.js";

const acme = toAccountId(9001);
const SESSION = "cs_test_a1Jasper0Growth9001";
const PI = "pi_3Jasper0Growth9001";
const RECEIPT = "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xSmFzcGVyVGVzdDAwMDEo";

const completed = (object: Record<string, unknown> = {}) =>
  stripeEvent("checkout.session.completed", { object });
const asyncSucceeded = () =>
  stripeEvent("checkout.session.completed", {
    id: "evt_1Jasper0AsyncSucceeded",
    type: "checkout.session.async_payment_succeeded",
  });

describe("Stripe webhook: purchases", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  afterEach(() => h?.server.close());

  /** A webhook server that knows the fixture's session: Jasper created it at checkout. */
  const harness = async (options?: BillingHarnessOptions) => {
    const created = await billingHarness(options);
    await recordCheckout(created.store);
    return created;
  };
  const purchases = () => h.store.ledger.list(acme, { types: ["purchase"], limit: 100 });
  const balance = async () => (await h.ledger.summary(acme)).buckets.purchased;

  it("grants a paid checkout once, however often and in whatever order Stripe delivers", async () => {
    h = await harness();
    // Every delivery asks for the receipt before the ledger says whether it is first.
    mockPaymentIntent(PI, RECEIPT, 6);

    const deliveries = await Promise.all(
      Array.from({ length: 5 }, () => h.server.inject(signedStripeDelivery(completed()))),
    );
    expect(deliveries.map((r) => r.statusCode)).toStrictEqual([200, 200, 200, 200, 200]);
    const results = deliveries.map((r) => r.json().result).sort();
    expect(results).toStrictEqual([
      "already_granted",
      "already_granted",
      "already_granted",
      "already_granted",
      "granted",
    ]);

    const late = await h.server.inject(signedStripeDelivery(asyncSucceeded()));
    expect(late.json()).toStrictEqual({ received: true, result: "already_granted" });

    const entries = await purchases();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      type: "purchase",
      amount: 500,
      deltas: { free: 0, plan: 0, bonus: 0, purchased: 500 },
      description: "Growth package: 500 credits",
      idempotencyKey: `stripe-checkout:${SESSION}`,
      reference: {
        kind: "stripe",
        checkoutSession: SESSION,
        paymentIntent: PI,
        receiptUrl: RECEIPT,
      },
    });
    expect(await balance()).toBe(500);
  });

  it("grants nothing for an unpaid completion, then once when the async payment succeeds", async () => {
    h = await harness();
    const unpaid = await h.server.inject(
      signedStripeDelivery(completed({ payment_status: "unpaid" })),
    );
    expect(unpaid.json()).toStrictEqual({ received: true, result: "ignored" });
    expect(await purchases()).toHaveLength(0);

    mockPaymentIntent(PI, RECEIPT, 2);
    const paid = await h.server.inject(signedStripeDelivery(asyncSucceeded()));
    expect(paid.json()).toStrictEqual({ received: true, result: "granted" });
    const again = await h.server.inject(signedStripeDelivery(asyncSucceeded()));
    expect(again.json()).toStrictEqual({ received: true, result: "already_granted" });

    expect(await purchases()).toHaveLength(1);
    expect(await balance()).toBe(500);
  });

  it("grants once when async_payment_succeeded comes before completed, and ignores a late unpaid one", async () => {
    h = await harness();
    mockPaymentIntent(PI, RECEIPT, 2);
    const first = await h.server.inject(signedStripeDelivery(asyncSucceeded()));
    expect(first.json()).toStrictEqual({ received: true, result: "granted" });
    const completion = await h.server.inject(signedStripeDelivery(completed()));
    expect(completion.json()).toStrictEqual({ received: true, result: "already_granted" });
    const unpaid = await h.server.inject(
      signedStripeDelivery(completed({ payment_status: "unpaid" })),
    );
    expect(unpaid.json()).toStrictEqual({ received: true, result: "ignored" });
    expect((await purchases()).map((e) => e.amount)).toStrictEqual([500]);
  });

  it("grants once when both paid events arrive several times at the same moment", async () => {
    h = await harness();
    mockPaymentIntent(PI, RECEIPT, 8);
    const deliveries = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        h.server.inject(signedStripeDelivery(i % 2 === 0 ? completed() : asyncSucceeded())),
      ),
    );
    expect(deliveries.map((r) => r.statusCode)).toStrictEqual(Array(8).fill(200));
    const results = deliveries.map((r) => r.json().result);
    expect(results.filter((r) => r === "granted")).toHaveLength(1);
    expect(results.filter((r) => r === "already_granted")).toHaveLength(7);
    expect((await purchases()).map((e) => e.amount)).toStrictEqual([500]);
    expect(await balance()).toBe(500);
  });

  it("grants nothing when the async payment fails", async () => {
    h = await harness();
    await h.server.inject(signedStripeDelivery(completed({ payment_status: "unpaid" })));
    const failed = await h.server.inject(
      signedStripeDelivery(
        stripeEvent("checkout.session.completed", {
          type: "checkout.session.async_payment_failed",
          object: { payment_status: "unpaid" },
        }),
      ),
    );
    expect(failed.json()).toStrictEqual({ received: true, result: "ignored" });
    expect(await purchases()).toHaveLength(0);
    expect(await balance()).toBe(0);
  });

  it("writes the purchase without a receipt URL when the charge has none", async () => {
    h = await harness();
    mockPaymentIntent(PI, null);
    expect((await h.server.inject(signedStripeDelivery(completed()))).json().result).toBe(
      "granted",
    );
    const [entry] = await purchases();
    expect(entry?.reference).toStrictEqual({
      kind: "stripe",
      checkoutSession: SESSION,
      paymentIntent: PI,
      paidCents: 12250,
      currency: "usd",
    });
  });

  it("writes the purchase without a receipt URL when the payment has no charge to show", async () => {
    h = await harness();
    nock(STRIPE_API)
      .get(`/v1/payment_intents/${PI}`)
      .query({ "expand[0]": "latest_charge" })
      .reply(200, { id: PI, object: "payment_intent", latest_charge: null });
    mockRefundList({ paymentIntent: PI, charge: "ch_3Jasper0Growth9001" }, []);
    expect((await h.server.inject(signedStripeDelivery(completed()))).json().result).toBe(
      "granted",
    );
    const [entry] = await purchases();
    expect(entry?.reference).not.toHaveProperty("receiptUrl");
  });

  it("keeps only a web address of at most 2,000 characters as the receipt", async () => {
    // The dashboard links to it: anything but http(s) is not a link to follow, and the
    // ledger refuses a longer URL, which would make the grant fail on every redelivery.
    const long = (length: number) => `http://pay.stripe.com/r/${"a".repeat(length - 24)}`;
    const cases: [string, string | undefined][] = [
      [long(2000), long(2000)],
      [long(2001), undefined],
      ["javascript:alert('https://pay.stripe.com')", undefined],
      ["ftp://pay.stripe.com/receipt", undefined],
    ];
    for (const [receipt, kept] of cases) {
      await h?.server.close();
      h = await harness();
      mockPaymentIntent(PI, receipt);
      await h.server.inject(signedStripeDelivery(completed()));
      const [entry] = await purchases();
      expect(entry?.reference).toStrictEqual({
        kind: "stripe",
        checkoutSession: SESSION,
        paymentIntent: PI,
        ...(kept && { receiptUrl: kept }),
        paidCents: 12250,
        currency: "usd",
      });
    }
  });

  it("answers 500 when the ledger fails, so that Stripe redelivers; the retry grants once", async () => {
    let failures = 1;
    h = await harness({
      ledger: (ledger) => ({
        grant: async (...args) => {
          if (failures-- > 0) throw new Error("database unavailable");
          return ledger.grant(...args);
        },
        adjust: (...args) => ledger.adjust(...args),
        takeBack: (...args) => ledger.takeBack(...args),
      }),
    });
    // The failed attempt stops at the grant, before it lists the payment's refunds.
    mockPaymentIntent(PI, RECEIPT, 1, null);
    mockPaymentIntent(PI, RECEIPT);
    const first = await h.server.inject(signedStripeDelivery(completed()));
    expect(first.statusCode).toBe(500);
    expect(first.json()).toMatchObject({ error: { code: "stripe_event_failed" } });
    expect(await purchases()).toHaveLength(0);

    const retry = await h.server.inject(signedStripeDelivery(completed()));
    expect(retry.json()).toStrictEqual({ received: true, result: "granted" });
    expect(await balance()).toBe(500);
  });

  it("acknowledges a session with unusable metadata (no retry can fix it) and grants nothing", async () => {
    h = await harness();
    const bad = await h.server.inject(
      signedStripeDelivery(
        completed({ metadata: { accountId: "acme", packageId: "growth", credits: "500" } }),
      ),
    );
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toStrictEqual({ received: true, result: "ignored" });

    const mismatch = await h.server.inject(
      signedStripeDelivery(completed({ client_reference_id: "4242" })),
    );
    expect(mismatch.json()).toStrictEqual({ received: true, result: "ignored" });
    expect(await purchases()).toHaveLength(0);
  });

  it("ignores checkouts that are not Jasper's and events it does not handle", async () => {
    // Not recorded: some other checkout on the same Stripe account.
    h = await billingHarness();
    const foreign = await h.server.inject(signedStripeDelivery(completed({ metadata: {} })));
    expect(foreign.json()).toStrictEqual({ received: true, result: "ignored" });
    const other = await h.server.inject(
      signedStripeDelivery(stripeEvent("checkout.session.completed", { type: "customer.created" })),
    );
    expect(other.json()).toStrictEqual({ received: true, result: "ignored" });
    expect(await purchases()).toHaveLength(0);
  });
});

describe("Stripe webhook: verification", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  afterEach(() => h?.server.close());

  const expectRefused = async (delivery: InjectOptions) => {
    const res = await h.server.inject(delivery);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: "invalid_signature" } });
    expect(await h.store.ledger.list(acme, { limit: 10 })).toHaveLength(0);
  };

  it("refuses a payload signed with another secret", async () => {
    h = await billingHarness();
    await expectRefused(signedStripeDelivery(completed(), { secret: "whsec_someone_else" }));
  });

  it("refuses a delivery without a signature", async () => {
    h = await billingHarness();
    const delivery = signedStripeDelivery(completed());
    await expectRefused({
      ...delivery,
      headers: { "content-type": delivery.headers["content-type"] },
    });
  });

  it("refuses a body changed after signing, even by one character", async () => {
    h = await billingHarness();
    await expectRefused(
      signedStripeDelivery(completed(), {
        body: (signed) => signed.replace('"credits": "500"', '"credits": "5000"'),
      }),
    );
    await expectRefused(
      signedStripeDelivery(completed(), { body: (signed) => signed.replace(/\n/g, "") }),
    );
  });

  it("refuses a signature older than the tolerance (a replayed delivery)", async () => {
    h = await billingHarness();
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    await expectRefused(signedStripeDelivery(completed(), { timestamp: anHourAgo }));
  });

  it("answers 503 when Stripe is not configured, and does nothing", async () => {
    for (const deps of [
      { webhookSecret: undefined, stripe: testStripe(), events: null },
      { webhookSecret: WEBHOOK_SECRET, stripe: null, events: null },
    ]) {
      const server = Fastify({ logger: false });
      await server.register(stripeWebhookRoute(deps));
      const res = await server.inject(signedStripeDelivery(completed()));
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: { code: "stripe_not_configured" } });
      await server.close();
    }
  });

  it("keeps the raw-body parser inside its own scope: other routes still parse JSON", async () => {
    h = await billingHarness();
    const res = await h.server.inject({
      method: "POST",
      url: "/echo",
      payload: { hello: "world" },
    });
    expect(res.json()).toStrictEqual({ body: { hello: "world" } });
  });
});
