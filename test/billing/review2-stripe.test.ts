/**
 * Second review of "Stripe in any order": refunds that fail after being taken back, and the
 * total cap of proportional take-backs when refunds succeed out of creation order.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import {
  billingHarness,
  recordCheckout,
  refundObject,
  serveStripePurchase,
  signedStripeDelivery,
  stripeEvent,
  type BillingHarness,
  type EventFixture,
  type RefundStub,
  type StripePurchaseState,
} from "../support/stripe-test-kit.js";

const acme = toAccountId(9001);
const PI = "pi_3Jasper0Growth9001";
const CHARGE = "ch_3Jasper0Growth9001";
const T0 = 1794916800;
const payment = { paymentIntent: PI, charge: CHARGE };
const paidSession = () => stripeEvent("checkout.session.completed").data.object;
const chargeObject = () => ({
  id: CHARGE,
  object: "charge",
  amount: 12250,
  amount_captured: 12250,
  currency: "usd",
  metadata: {},
  paid: true,
  payment_intent: PI,
  receipt_url: "https://pay.stripe.com/receipts/payment/x",
  status: "succeeded",
});
let n = 0;
const envelope = (type: string, object: Record<string, unknown>): EventFixture => ({
  id: `evt_review2_${++n}`,
  object: "event",
  api_version: "2026-10-28.endive",
  created: T0 + 120,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type,
  data: { object },
});

describe("review2: Stripe refunds", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  let h: BillingHarness;
  afterEach(() => h?.server.close());

  /** Growth (500 credits, $122.50) recorded, and an earlier purchase of 500 credits granted. */
  const setUp = async (refunds: RefundStub[]) => {
    h = await billingHarness();
    await recordCheckout(h.store);
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 500,
      description: "An earlier Growth package: 500 credits",
      idempotencyKey: "stripe-checkout:cs_test_earlier",
    });
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
  const purchased = async () => (await h.ledger.summary(acme)).buckets.purchased;

  it("review2: a full refund that fails after it was taken back, then issued again, takes the package back once (not the earlier purchase's credits too)", async () => {
    const full: RefundStub = { id: "re_review2_full", amount: 12250, status: "succeeded", created: T0 };
    const state = await setUp([full]);
    expect(await deliver(envelope("checkout.session.completed", paidSession()))).toBe("granted");
    expect(await purchased()).toBe(500); // 500 + 500 - 500

    // The refund fails (the card was closed): Stripe returns the money to the merchant.
    state.refunds = [{ ...full, status: "failed" }];
    await deliver(envelope("refund.updated", refundObject(payment, state.refunds[0]!)));
    // The merchant refunds again, by another refund.
    const again: RefundStub = { id: "re_review2_again", amount: 12250, status: "succeeded", created: T0 + 600 };
    state.refunds = [{ ...full, status: "failed" }, again];
    await deliver(envelope("charge.refunded", { ...chargeObject(), amount_refunded: 12250, refunded: true }));

    // One package was bought and one refund went through: the earlier purchase is untouched.
    expect(await purchased()).toBe(500);
  });

  it("review2: a refund that fails after it was taken back gives the credits back", async () => {
    const full: RefundStub = { id: "re_review2_full", amount: 12250, status: "succeeded", created: T0 };
    const state = await setUp([full]);
    await deliver(envelope("checkout.session.completed", paidSession()));
    state.refunds = [{ ...full, status: "failed" }];
    await deliver(envelope("refund.updated", refundObject(payment, state.refunds[0]!)));
    // The customer kept neither the money nor the credits.
    expect(await purchased()).toBe(1000);
  });

  it("review2: refunds that succeed out of creation order never take back more than the package in total", async () => {
    // Three refunds summing to the price; each share rounds up (166.65 -> 167), so the cap
    // must trim one of them. The newest succeeds first, while the two older are pending.
    const r1: RefundStub = { id: "re_review2_1", amount: 4083, status: "pending", created: T0 };
    const r2: RefundStub = { id: "re_review2_2", amount: 4083, status: "pending", created: T0 + 1 };
    const r3: RefundStub = { id: "re_review2_3", amount: 4084, status: "succeeded", created: T0 + 2 };
    const state = await setUp([r1, r2, r3]);
    await deliver(envelope("checkout.session.completed", paidSession()));
    state.refunds = [
      { ...r1, status: "succeeded" },
      { ...r2, status: "succeeded" },
      r3,
    ];
    await deliver(envelope("refund.updated", refundObject(payment, state.refunds[0]!)));
    const takeBacks = await h.store.ledger.list(acme, { types: ["adjustment"], limit: 10 });
    const total = takeBacks.reduce((sum, e) => sum - e.amount - e.uncollected, 0);
    expect(takeBacks).toHaveLength(3);
    expect(total).toBeLessThanOrEqual(500);
    expect(await purchased()).toBe(500);
  });
});
