import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import {
  billingHarness,
  mockPaymentIntent,
  mockSessionOfPayment,
  recordCheckout,
  refundObject,
  serveStripePurchase,
  signedStripeDelivery,
  STRIPE_API,
  stripeEvent,
  type BillingHarness,
  type EventFixture,
  type RefundStub,
  type StripePurchaseState,
} from "../support/stripe-test-kit.js";

/**
 * Stripe sends a purchase's events in any order, and any of them more than once: the refund
 * of a payment can reach Jasper before the completion of the checkout it paid for. Whatever
 * the order, the ledger must end the same: the package granted once, each succeeded refund's
 * share taken back once.
 *
 * The purchase: the fixture's Growth checkout (500 credits for $122.50) by account 9001, and
 * two refunds of it, $24.50 (100 credits) and then $12.25 (50 credits).
 */
const acme = toAccountId(9001);
const SESSION = "cs_test_a1Jasper0Growth9001";
const PI = "pi_3Jasper0Growth9001";
const CHARGE = "ch_3Jasper0Growth9001";
const RECEIPT = "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xSmFzcGVyVGVzdDAwMDEo";
const T0 = 1794916800;
const payment = { paymentIntent: PI, charge: CHARGE };

const REFUND_A: RefundStub = {
  id: "re_3Jasper0GrowthA",
  amount: 2450,
  status: "succeeded",
  created: T0,
};
const REFUND_B: RefundStub = {
  id: "re_3Jasper0GrowthB",
  amount: 1225,
  status: "succeeded",
  created: T0 + 60,
};

const paidSession = () => stripeEvent("checkout.session.completed").data.object;

/** The charge as Stripe's API and its events show it (amount_refunded is added where known). */
const chargeObject = () =>
  ({
    id: CHARGE,
    object: "charge",
    amount: 12250,
    amount_captured: 12250,
    currency: "usd",
    metadata: { accountId: "9001", packageId: "growth", credits: "500" },
    paid: true,
    payment_intent: PI,
    receipt_url: RECEIPT,
    status: "succeeded",
  }) satisfies Partial<Stripe.Charge>;

/** An event as Stripe delivers it for API version 2026-10-28. */
const envelope = (id: string, type: string, object: Record<string, unknown>): EventFixture => ({
  id,
  object: "event",
  api_version: "2026-10-28.endive",
  created: T0 + 120,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type,
  data: { object },
});

/** Every event Jasper acts on for this purchase, once both refunds have succeeded. */
const EVENTS: Record<string, () => EventFixture> = {
  "checkout.session.completed": () =>
    envelope("evt_1Jasper0Completed", "checkout.session.completed", paidSession()),
  "checkout.session.async_payment_succeeded": () =>
    envelope("evt_1Jasper0AsyncPaid", "checkout.session.async_payment_succeeded", paidSession()),
  "charge.refunded": () =>
    envelope("evt_1Jasper0ChargeRefunded", "charge.refunded", {
      ...chargeObject(),
      amount_refunded: REFUND_A.amount + REFUND_B.amount,
      refunded: false,
    }),
  "refund.updated": () =>
    envelope("evt_1Jasper0RefundUpdated", "refund.updated", refundObject(payment, REFUND_B)),
  "charge.refund.updated": () =>
    envelope(
      "evt_1Jasper0ChargeRefundUpdated",
      "charge.refund.updated",
      refundObject(payment, REFUND_A),
    ),
};
const TYPES = Object.keys(EVENTS);

/** An entry without what only says when it was written. */
const comparable = ({ id: _id, createdAt: _at, ...entry }: LedgerEntry) => entry;

/** The purchase and its take-backs, as the ledger must hold them in every order. */
const EXPECTED = [
  {
    seq: 2,
    type: "purchase",
    amount: 500,
    balanceAfter: 500,
    deltas: { free: 0, plan: 0, bonus: 0, purchased: 500 },
    bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: 500 },
    uncollected: 0,
    idempotencyKey: `stripe-checkout:${SESSION}`,
    description: "Growth package: 500 credits",
    reference: { kind: "stripe", checkoutSession: SESSION, paymentIntent: PI, receiptUrl: RECEIPT },
  },
  {
    seq: 3,
    type: "adjustment",
    amount: -100,
    deltas: { free: 0, plan: 0, bonus: 0, purchased: -100 },
    bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: 400 },
    balanceAfter: 400,
    uncollected: 0,
    idempotencyKey: `stripe-refund:${REFUND_A.id}`,
    description: `Stripe refund ${REFUND_A.id} (Growth package): 100 credits taken back`,
    reference: { kind: "stripe", charge: CHARGE, paymentIntent: PI },
  },
  {
    seq: 4,
    type: "adjustment",
    amount: -50,
    deltas: { free: 0, plan: 0, bonus: 0, purchased: -50 },
    bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: 350 },
    balanceAfter: 350,
    uncollected: 0,
    idempotencyKey: `stripe-refund:${REFUND_B.id}`,
    description: `Stripe refund ${REFUND_B.id} (Growth package): 50 credits taken back`,
    reference: { kind: "stripe", charge: CHARGE, paymentIntent: PI },
  },
];

describe("Stripe webhook: a purchase's events in any order", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  afterEach(() => h?.server.close());

  /** Jasper's checkout recorded, and Stripe holding the paid session and these refunds. */
  const setUp = async (refunds: RefundStub[] = [REFUND_A, REFUND_B], captureLogs = false) => {
    h = await billingHarness({ captureLogs });
    await recordCheckout(h.store);
    const state: StripePurchaseState = {
      session: { ...paidSession(), payment_intent: PI },
      charge: chargeObject(),
      refunds,
    };
    serveStripePurchase(state);
    return state;
  };
  const deliver = async (event: EventFixture) => {
    const res = await h.server.inject(signedStripeDelivery(event));
    expect(res.statusCode).toBe(200);
    return res.json().result as string;
  };
  /** The month's free tier (none here) is written first, whatever comes next. */
  const written = () =>
    h.store.ledger.list(acme, { types: ["purchase", "adjustment"], limit: 100 });
  const entries = async () => (await written()).reverse().map(comparable);
  const audited = async () =>
    (await h.store.audit.list(acme, { limit: 100 })).map((a) => a.details["entryId"]).sort();

  /** The ledger as every order must leave it; returned to show redeliveries change nothing. */
  const expectSettled = async () => {
    const now = await entries();
    expect(now).toHaveLength(3);
    expect(now).toMatchObject(EXPECTED);
    expect((await h.ledger.summary(acme)).buckets.purchased).toBe(350);
    // Each entry in the audit log, once.
    const ids = (await written()).map((e) => e.id).sort();
    expect(await audited()).toStrictEqual(ids);
    return now;
  };

  const pairs = TYPES.flatMap((first) => TYPES.map((second) => [first, second] as const));

  it.each(pairs)("%s then %s: granted once, each refund taken back once", async (a, b) => {
    await setUp();
    await deliver(EVENTS[a]!());
    await deliver(EVENTS[b]!());
    const settled = await expectSettled();
    // Both again, the other way round: redeliveries change nothing.
    await deliver(EVENTS[b]!());
    await deliver(EVENTS[a]!());
    expect(await expectSettled()).toStrictEqual(settled);
  });

  /**
   * Refund A fails after it was taken back, and the merchant refunds $24.50 again (C): A's
   * credits come back once, C takes its share once, whichever event brings the news.
   */
  const REFUND_C: RefundStub = { ...REFUND_A, id: "re_3Jasper0GrowthC", created: T0 + 600 };
  const LATER: Record<string, () => EventFixture> = {
    ...EVENTS,
    "refund.updated (A failed)": () =>
      envelope(
        "evt_1Jasper0RefundFailed",
        "refund.updated",
        refundObject(payment, { ...REFUND_A, status: "failed" }),
      ),
  };
  const afterFailure = TYPES.flatMap((first) =>
    Object.keys(LATER).map((second) => [first, second] as const),
  );
  const keyed = async () =>
    Object.fromEntries((await written()).map((e) => [e.idempotencyKey, e.amount]));

  it.each(afterFailure)(
    "%s, then refund A fails and C is issued, then %s: A given back once, C taken back once",
    async (a, b) => {
      const state = await setUp();
      await deliver(EVENTS[a]!());
      state.refunds = [{ ...REFUND_A, status: "failed" }, REFUND_B, REFUND_C];
      await deliver(LATER[b]!());
      const settled = await keyed();
      expect(settled).toStrictEqual({
        [`stripe-checkout:${SESSION}`]: 500,
        [`stripe-refund:${REFUND_A.id}`]: -100,
        [`stripe-refund:${REFUND_B.id}`]: -50,
        [`stripe-refund-reversed:${REFUND_A.id}`]: 100,
        [`stripe-refund:${REFUND_C.id}`]: -100,
      });
      expect((await h.ledger.summary(acme)).buckets.purchased).toBe(350);
      // Both again, the other way round: redeliveries change nothing.
      await deliver(LATER[b]!());
      await deliver(EVENTS[a]!());
      expect(await keyed()).toStrictEqual(settled);
      const ids = (await written()).map((e) => e.id).sort();
      expect(await audited()).toStrictEqual(ids);
    },
  );

  it("ends the same when every event arrives at once, several times", async () => {
    await setUp();
    const all = [...TYPES, ...TYPES, ...TYPES].map((type) => EVENTS[type]!());
    const results = await Promise.all(all.map((e) => h.server.inject(signedStripeDelivery(e))));
    expect(results.map((r) => r.statusCode)).toStrictEqual(all.map(() => 200));
    await expectSettled();
  });

  it("grants at once when a pending refund comes first, and takes it back once it succeeds", async () => {
    const state = await setUp([{ ...REFUND_A, status: "pending" }]);
    const early = EVENTS["charge.refunded"]!();
    early.data.object["amount_refunded"] = REFUND_A.amount;
    expect(await deliver(early)).toBe("granted");
    expect((await entries()).map((e) => e.amount)).toStrictEqual([500]);

    state.refunds = [REFUND_A];
    expect(await deliver(EVENTS["charge.refund.updated"]!())).toBe("taken_back");
    expect(await deliver(EVENTS["checkout.session.completed"]!())).toBe("already_granted");
    expect((await entries()).map((e) => e.amount)).toStrictEqual([500, -100]);
    expect((await h.ledger.summary(acme)).buckets.purchased).toBe(400);
  });

  it("says what a refund that came first did, and what the late completion found", async () => {
    await setUp(undefined, true);
    expect(await deliver(EVENTS["charge.refunded"]!())).toBe("taken_back");
    expect(await deliver(EVENTS["checkout.session.completed"]!())).toBe("already_granted");
    const handled = h.logs.filter((l) => l.msg === "Stripe event handled");
    expect(handled.map((l) => [l["type"], l["result"], l["refundsTakenBack"]])).toStrictEqual([
      ["charge.refunded", "taken_back", 2],
      ["checkout.session.completed", "already_granted", 2],
    ]);
    await expectSettled();
  });

  it("takes nothing for a refund of a payment that is not a checkout Jasper created", async () => {
    h = await billingHarness({ captureLogs: true });
    await recordCheckout(h.store);
    const refundOf = (paymentIntent: string, metadata: Record<string, string>) =>
      envelope(`evt_1Refund${paymentIntent}`, "charge.refunded", {
        ...chargeObject(),
        id: `ch_${paymentIntent}`,
        payment_intent: paymentIntent,
        metadata,
        amount_refunded: 12250,
        refunded: true,
      });
    // No Checkout Session at all: a payment made some other way on the same Stripe account.
    mockSessionOfPayment("pi_3Elsewhere", null);
    expect(await deliver(refundOf("pi_3Elsewhere", {}))).toBe("ignored");
    // A session labelled as Jasper's that Jasper never recorded (made on the account directly).
    mockSessionOfPayment("pi_3Forged", {
      ...paidSession(),
      id: "cs_test_a1Forged",
      payment_intent: "pi_3Forged",
    });
    const label = { accountId: "9001", packageId: "growth", credits: "500" };
    expect(await deliver(refundOf("pi_3Forged", label))).toBe("ignored");

    const reasons = h.logs.filter((l) => l.msg === "Stripe event ignored").map((l) => l["reason"]);
    expect(reasons).toStrictEqual(["not_ours", "unrecorded"]);
    expect(await h.store.ledger.list(acme, { limit: 10 })).toHaveLength(0);
    expect((await h.store.checkoutSessions.find(SESSION))?.paymentIntent).toBeNull();
  });

  it("grants nothing when a refund comes first for a session paid on other terms", async () => {
    const state = await setUp();
    state.session = { ...state.session, amount_total: 50 };
    expect(await deliver(EVENTS["charge.refunded"]!())).toBe("ignored");
    expect(await deliver(EVENTS["refund.updated"]!())).toBe("ignored");
    expect(await h.store.ledger.list(acme, { limit: 10 })).toHaveLength(0);
    expect((await h.store.checkoutSessions.find(SESSION))?.paymentIntent).toBeNull();
  });

  it("answers 500 when Stripe cannot say whose payment a refund is; the redelivery settles it", async () => {
    h = await billingHarness();
    await recordCheckout(h.store);
    nock(STRIPE_API)
      .get("/v1/checkout/sessions")
      .query({ payment_intent: PI, limit: "1" })
      .reply(500, { error: { type: "api_error", message: "try again" } });
    const first = await h.server.inject(signedStripeDelivery(EVENTS["charge.refunded"]!()));
    expect(first.statusCode).toBe(500);
    expect(await h.store.ledger.list(acme, { limit: 10 })).toHaveLength(0);

    serveStripePurchase({
      session: { ...paidSession(), payment_intent: PI },
      charge: chargeObject(),
      refunds: [REFUND_A, REFUND_B],
    });
    expect(await deliver(EVENTS["charge.refunded"]!())).toBe("taken_back");
    await expectSettled();
  });

  it("answers 500 when a grant cannot list the refunds; the redelivery takes them back", async () => {
    h = await billingHarness();
    await recordCheckout(h.store);
    mockPaymentIntent(PI, RECEIPT, 1, null);
    nock(STRIPE_API)
      .get("/v1/refunds")
      .query({ payment_intent: PI, limit: "100" })
      .reply(500, { error: { type: "api_error", message: "try again" } });
    const first = await h.server.inject(
      signedStripeDelivery(EVENTS["checkout.session.completed"]!()),
    );
    expect(first.statusCode).toBe(500);
    // The purchase is written, and stays the only one; the take-backs wait for the retry.
    expect((await entries()).map((e) => e.amount)).toStrictEqual([500]);

    serveStripePurchase({
      session: { ...paidSession(), payment_intent: PI },
      charge: chargeObject(),
      refunds: [REFUND_A, REFUND_B],
    });
    expect(await deliver(EVENTS["checkout.session.completed"]!())).toBe("already_granted");
    await expectSettled();
  });
});
