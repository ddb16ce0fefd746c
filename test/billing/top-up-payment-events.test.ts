import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import { ATTEMPT_METADATA_KEY } from "../../src/billing/top-up-payment-events.js";
import {
  billingHarness,
  signedStripeDelivery,
  type BillingHarness,
} from "../support/stripe-test-kit.js";

/**
 * An automatic top-up is paid by an off-session PaymentIntent recorded (as an attempt)
 * before it was created; its credits come only from the signed `payment_intent.succeeded` of
 * that intent, on the recorded terms, exactly once, however often and early Stripe delivers.
 */
const acme = toAccountId(9001);
const other = toAccountId(9002);
const KEY = "auto-top-up:9001:entry-crossed-1";
const PI = "pi_3TopUp9001a";
const CUSTOMER = "cus_TAcme9001";

/** A PaymentIntent as stripe-node 23 (API 2026-10-28) sends it, with what Jasper created. */
const paymentIntent = (over: Partial<Stripe.PaymentIntent> = {}) =>
  ({
    id: PI,
    object: "payment_intent",
    amount: 12250,
    amount_capturable: 0,
    amount_received: 12250,
    capture_method: "automatic_async",
    confirmation_method: "automatic",
    created: 1_796_205_600,
    currency: "usd",
    customer: CUSTOMER,
    description: "Jasper automatic top-up",
    last_payment_error: null,
    latest_charge: "ch_3TopUp9001a",
    livemode: false,
    metadata: { [ATTEMPT_METADATA_KEY]: KEY },
    payment_method: "pm_1Visa9001",
    payment_method_types: ["card"],
    setup_future_usage: null,
    status: "succeeded",
    ...over,
  }) satisfies Partial<Stripe.PaymentIntent>;

const event = (object: object, type = "payment_intent.succeeded", id = "evt_1TopUpSucceeded") => ({
  id,
  object: "event",
  api_version: "2026-10-28",
  created: 1_796_205_700,
  type,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: KEY },
  data: { object },
});

/** The declined card's PaymentIntent, as payment_intent.payment_failed carries it. */
const declined = (code: string, status = "requires_payment_method") =>
  paymentIntent({
    status: status as Stripe.PaymentIntent.Status,
    amount_received: 0,
    last_payment_error: {
      type: "card_error",
      code: code as Stripe.PaymentIntent.LastPaymentError.Code,
      ...(code === "card_declined" ? { decline_code: "insufficient_funds" } : {}),
    } as Stripe.PaymentIntent.LastPaymentError,
  });

describe("Stripe webhook: an automatic top-up's payment", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    // Nothing here asks Stripe's API: the event and the records decide.
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  afterEach(() => h?.server.close());

  /** Acme's customer and a Growth top-up attempt (500 credits, $122.50), linked or not. */
  async function setUp(link = true) {
    h = await billingHarness({ autoTopUp: true, captureLogs: true });
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.stripeCustomers.record({
      accountId: acme,
      customerId: CUSTOMER,
      createdAt: new Date("2026-11-01T00:00:00Z"),
    });
    await h.store.stripeCustomers.record({
      accountId: other,
      customerId: "cus_TOther9002",
      createdAt: new Date("2026-11-01T00:00:00Z"),
    });
    const begun = await h.store.topUpAttempts.begin({
      attemptKey: KEY,
      accountId: acme,
      packageId: "growth",
      credits: 500,
      priceCents: 12250,
      currency: "usd",
      customerId: CUSTOMER,
      paymentMethodId: "pm_1Visa9001",
      createdAt: new Date("2026-11-20T10:00:00Z"),
    });
    expect(begun.status).toBe("begun");
    if (link) expect(await h.store.topUpAttempts.linkPaymentIntent(acme, KEY, PI)).toBe(true);
  }

  const deliver = async (e: unknown) => {
    const res = await h.server.inject(signedStripeDelivery(e));
    expect(res.statusCode).toBe(200);
    return res.json().result as string;
  };
  const purchases = (account = acme) =>
    h.store.ledger.list(account, { types: ["purchase"], limit: 100 });
  const attempt = () => h.store.topUpAttempts.find(acme, KEY);
  const attemptAudits = async () =>
    (await h.store.audit.list(acme, { limit: 100 })).filter(
      (a) => a.action === "auto_top_up_attempt",
    );
  const ignoredAtError = () =>
    h.logs.filter((l) => l.level === 50 && l.msg === "Stripe event ignored");

  it("grants the attempt's package once, marked as an automatic top-up, and settles it paid", async () => {
    await setUp();
    expect(await deliver(event(paymentIntent()))).toBe("top_up_granted");
    // Delivered again (a retry, or the same event twice at once): nothing more.
    const again = await Promise.all([
      deliver(event(paymentIntent())),
      deliver(event(paymentIntent(), "payment_intent.succeeded", "evt_1TopUpSucceededBis")),
    ]);
    expect(again).toStrictEqual(["already_granted", "already_granted"]);

    const granted = await purchases();
    expect(granted).toHaveLength(1);
    expect(granted[0]).toMatchObject({
      amount: 500,
      deltas: { purchased: 500, bonus: 0, free: 0 },
      idempotencyKey: KEY,
      // What Stripe charged (matched against the attempt) is on the entry.
      reference: {
        kind: "stripe",
        paymentIntent: PI,
        autoTopUp: KEY,
        paidCents: 12250,
        currency: "usd",
      },
    });
    expect(granted[0]?.description).toMatch(/^Automatic top-up, Growth package: 500 credits$/);
    // The account's first payment: it fixes the billing currency, so EUR comes too late.
    expect(await h.store.accounts.fixBillingCurrency(acme, "eur")).toBe("usd");
    expect((await h.ledger.summary(acme)).balance).toBe(500);
    expect(await attempt()).toMatchObject({ state: "succeeded", outcome: "paid" });

    const audits = await attemptAudits();
    expect(audits).toHaveLength(1);
    expect(audits[0]?.details).toMatchObject({ outcome: "paid", attemptKey: KEY, credits: 500 });
    const purchaseAudits = (await h.store.audit.list(acme, { limit: 100 })).filter(
      (a) => a.action === "purchase",
    );
    expect(purchaseAudits).toHaveLength(1);
  });

  it("grants once when the event arrives before the call that created the intent returned", async () => {
    // The attempt is recorded, the intent created at Stripe, but not linked yet.
    await setUp(false);
    const results = await Promise.all([
      deliver(event(paymentIntent())),
      deliver(event(paymentIntent(), "payment_intent.succeeded", "evt_1TopUpSucceededBis")),
    ]);
    expect(results.sort()).toStrictEqual(["already_granted", "top_up_granted"]);
    expect(await purchases()).toHaveLength(1);
    expect(await attempt()).toMatchObject({ paymentIntent: PI, state: "succeeded" });
    // The job's own link, when Stripe's answer comes back, finds the same intent.
    expect(await h.store.topUpAttempts.linkPaymentIntent(acme, KEY, PI)).toBe(true);
    expect(await deliver(event(paymentIntent()))).toBe("already_granted");
    expect(await purchases()).toHaveLength(1);
  });

  it.each([
    ["another amount", { amount: 1225, amount_received: 1225 }],
    ["another currency", { currency: "eur" }],
    ["another customer", { customer: "cus_TOther9002" }],
  ])(
    "grants nothing for the recorded intent paid with %s, and says so at error",
    async (_what, over) => {
      await setUp();
      expect(await deliver(event(paymentIntent(over)))).toBe("ignored");
      expect(await purchases()).toHaveLength(0);
      expect(await purchases(other)).toHaveLength(0);
      expect(await attempt()).toMatchObject({ state: "in_flight" });
      expect(ignoredAtError()).toHaveLength(1);
    },
  );

  it("does not let an unlinked intent on other terms take the attempt's link", async () => {
    await setUp(false);
    const forged = paymentIntent({ id: "pi_3Forged", amount: 50, amount_received: 50 });
    expect(await deliver(event(forged))).toBe("ignored");
    expect(await purchases()).toHaveLength(0);
    expect(ignoredAtError()).toHaveLength(1);
    // The genuine intent still links and is granted.
    expect(await deliver(event(paymentIntent()))).toBe("top_up_granted");
    expect(await purchases()).toHaveLength(1);
  });

  it("grants nothing for an intent naming an attempt of another account", async () => {
    await setUp(false);
    // Paid by the other account's customer, naming Acme's attempt in its metadata.
    const crossed = paymentIntent({ id: "pi_3Crossed", customer: "cus_TOther9002" });
    expect(await deliver(event(crossed))).toBe("ignored");
    expect(await purchases()).toHaveLength(0);
    expect(await purchases(other)).toHaveLength(0);
    expect(ignoredAtError()).toHaveLength(1);
  });

  it("grants nothing for an intent no attempt recorded; loud only when it is Jasper's customer", async () => {
    await setUp();
    // A Checkout payment, or another product's: not a top-up, and not alarming.
    const foreign = paymentIntent({ id: "pi_3Foreign", customer: "cus_Foreign", metadata: {} });
    expect(await deliver(event(foreign))).toBe("ignored");
    expect(ignoredAtError()).toHaveLength(0);
    // A payment of Acme's customer that Jasper never recorded: for an operator.
    const unrecorded = paymentIntent({ id: "pi_3Unrecorded", metadata: {} });
    expect(await deliver(event(unrecorded))).toBe("ignored");
    expect(ignoredAtError()).toHaveLength(1);
    expect(await purchases()).toHaveLength(0);
  });

  it("ignores a PaymentIntent that is malformed or not fully paid", async () => {
    await setUp();
    expect(await deliver(event({ id: PI, object: "payment_intent" }))).toBe("ignored");
    const partial = paymentIntent({ amount_received: 100 });
    expect(await deliver(event(partial))).toBe("ignored");
    expect(await purchases()).toHaveLength(0);
    expect(await attempt()).toMatchObject({ state: "in_flight" });
  });

  it("settles a declined payment as declined, once, and grants nothing", async () => {
    await setUp();
    const failed = event(declined("card_declined"), "payment_intent.payment_failed", "evt_1F");
    expect(await deliver(failed)).toBe("top_up_declined");
    expect(await deliver(failed)).toBe("top_up_declined");
    expect(await attempt()).toMatchObject({ state: "failed", outcome: "declined" });
    expect(await purchases()).toHaveLength(0);
    const audits = await attemptAudits();
    expect(audits).toHaveLength(1);
    expect(audits[0]?.details).toMatchObject({ outcome: "declined", paymentIntent: PI });
  });

  it("settles a payment that needs the customer's authentication as such", async () => {
    await setUp();
    const pi = declined("authentication_required", "requires_payment_method");
    expect(await deliver(event(pi, "payment_intent.payment_failed", "evt_1A"))).toBe(
      "top_up_declined",
    );
    expect(await attempt()).toMatchObject({ outcome: "authentication_required" });
  });

  it("grants a payment Stripe confirms after a failure was recorded for it, and settles it paid", async () => {
    await setUp();
    await deliver(event(declined("card_declined"), "payment_intent.payment_failed", "evt_1F"));
    // The customer's bank accepted a later confirmation of the same intent: money taken.
    expect(await deliver(event(paymentIntent()))).toBe("top_up_granted");
    expect(await purchases()).toHaveLength(1);
    // ...and the attempt says so: paid, audited as paid after the decline.
    expect(await attempt()).toMatchObject({ state: "succeeded", outcome: "paid" });
    expect((await attemptAudits()).map((a) => a.details.outcome).sort()).toStrictEqual([
      "declined",
      "paid",
    ]);
  });
});
