/**
 * A refund can fail (or be canceled) after it succeeded and was taken back: Stripe returns
 * the money to the merchant, so the customer must get the credits back, once; and a refund
 * issued again then takes back again, once. Whatever happens, what a payment's refunds take
 * back, net of what is given back, never exceeds the package, even when refunds succeed out
 * of the order they were created in.
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
  id: `evt_1Reversal${++n}`,
  object: "event",
  api_version: "2026-10-28.endive",
  created: T0 + 120,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type,
  data: { object },
});
const completed = () => envelope("checkout.session.completed", paidSession());
const refundUpdated = (refund: RefundStub, type = "refund.updated") =>
  envelope(type, refundObject(payment, refund));
const chargeRefunded = () =>
  envelope("charge.refunded", { ...chargeObject(), amount_refunded: 12250, refunded: true });

/** The full refund of the Growth package ($122.50, 500 credits). */
const FULL: RefundStub = { id: "re_1JasperFull", amount: 12250, status: "succeeded", created: T0 };

describe("Stripe webhook: refunds that fail after they were taken back", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  let h: BillingHarness;
  afterEach(() => h?.server.close());

  /**
   * Growth (500 credits, $122.50) recorded, Stripe holding these refunds of it, and (unless
   * `earlier` is false) an earlier purchase of 500 credits granted, for a take-back to overreach.
   */
  const setUp = async (refunds: RefundStub[], earlier = true) => {
    h = await billingHarness();
    await recordCheckout(h.store);
    if (earlier) {
      await h.ledger.grant(acme, {
        type: "purchase",
        amount: 500,
        description: "An earlier Growth package: 500 credits",
        idempotencyKey: "stripe-checkout:cs_test_earlier",
      });
    }
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
  const adjustments = async () =>
    (await h.store.ledger.list(acme, { types: ["adjustment"], limit: 100 })).reverse();
  /** The ledger entries the audit log records, one audit entry each. */
  const audited = async () =>
    (await h.store.audit.list(acme, { limit: 100 })).map((a) => a.details["entryId"]).sort();
  /** The entries Stripe's events wrote (the earlier purchase was granted directly). */
  const auditable = async () =>
    (await h.store.ledger.list(acme, { types: ["purchase", "adjustment"], limit: 100 }))
      .filter((e) => e.idempotencyKey !== "stripe-checkout:cs_test_earlier")
      .map((e) => e.id)
      .sort();

  it("gives the credits back once, with an entry of its own in the ledger and the audit log", async () => {
    const state = await setUp([FULL]);
    expect(await deliver(completed())).toBe("granted");
    expect(await purchased()).toBe(500); // 500 + 500 - 500

    // The refund fails (the card was closed): Stripe returns the money to the merchant.
    state.refunds = [{ ...FULL, status: "failed" }];
    expect(await deliver(refundUpdated(state.refunds[0]!))).toBe("given_back");
    // The customer kept neither the money nor the credits: the credits come back.
    expect(await purchased()).toBe(1000);
    const reversal = (await adjustments())[1];
    expect(reversal).toMatchObject({
      amount: 500,
      deltas: { free: 0, plan: 0, bonus: 0, purchased: 500 },
      uncollected: 0,
      idempotencyKey: `stripe-refund-reversed:${FULL.id}`,
      description: `Stripe refund ${FULL.id} failed (Growth package): 500 credits given back`,
      reference: { kind: "stripe", charge: CHARGE, paymentIntent: PI },
    });

    // Stripe's other event for the same change, redeliveries, and the completion again: all
    // find it given back, and write nothing more, in the ledger or in the audit log.
    expect(await deliver(refundUpdated(state.refunds[0]!, "charge.refund.updated"))).toBe(
      "given_back",
    );
    expect(await deliver(refundUpdated(state.refunds[0]!))).toBe("given_back");
    expect(await deliver(completed())).toBe("already_granted");
    expect(await adjustments()).toHaveLength(2);
    expect(await purchased()).toBe(1000);
    expect(await audited()).toStrictEqual(await auditable());
  });

  it("a full refund that fails and is issued again takes the package back once, not an earlier purchase's credits too", async () => {
    const state = await setUp([FULL]);
    expect(await deliver(completed())).toBe("granted");
    state.refunds = [{ ...FULL, status: "failed" }];
    await deliver(refundUpdated(state.refunds[0]!));
    // The merchant refunds again, by another refund.
    const again: RefundStub = { ...FULL, id: "re_1JasperAgain", created: T0 + 600 };
    state.refunds = [{ ...FULL, status: "failed" }, again];
    expect(await deliver(chargeRefunded())).toBe("taken_back");

    // One package was bought and one refund went through: the earlier purchase is untouched.
    expect(await purchased()).toBe(500);
    expect((await adjustments()).map((e) => [e.idempotencyKey, e.amount])).toStrictEqual([
      [`stripe-refund:${FULL.id}`, -500],
      [`stripe-refund-reversed:${FULL.id}`, 500],
      [`stripe-refund:${again.id}`, -500],
    ]);
    // The failed refund is never taken back again, however often its events come.
    await deliver(refundUpdated({ ...FULL, status: "failed" }));
    await deliver(completed());
    expect(await purchased()).toBe(500);
  });

  it("gives back only what the take-back took: credits spent before the refund stay spent", async () => {
    const state = await setUp([], false);
    expect(await deliver(completed())).toBe("granted");
    for (let i = 1; i <= 480; i++) {
      await h.ledger.charge(acme, {
        action: "review",
        description: `Review of acme/widgets#${i}`,
        idempotencyKey: `review-${i}`,
      });
    }
    state.refunds = [FULL];
    expect(await deliver(chargeRefunded())).toBe("taken_back");
    // 20 credits were left to take; the 480 spent are recorded as uncollected.
    expect((await adjustments())[0]).toMatchObject({ amount: -20, uncollected: 480 });
    expect(await purchased()).toBe(0);

    state.refunds = [{ ...FULL, status: "canceled" }];
    expect(await deliver(refundUpdated(state.refunds[0]!, "charge.refund.updated"))).toBe(
      "given_back",
    );
    expect((await adjustments())[1]).toMatchObject({
      amount: 20,
      description: `Stripe refund ${FULL.id} canceled (Growth package): 20 credits given back`,
    });
    expect(await purchased()).toBe(20);
  });

  it("gives nothing back for a refund that failed before it was taken back", async () => {
    const state = await setUp([{ ...FULL, status: "pending" }]);
    expect(await deliver(completed())).toBe("granted");
    state.refunds = [{ ...FULL, status: "failed" }];
    expect(await deliver(refundUpdated(state.refunds[0]!))).toBe("ignored");
    expect(await adjustments()).toHaveLength(0);
    expect(await purchased()).toBe(1000);
  });

  describe("refunds that succeed out of creation order", () => {
    // Three refunds summing to the price; each share rounds up (166.65 -> 167), so the cap
    // must trim one of them.
    const r1: RefundStub = { id: "re_1JasperThird1", amount: 4083, status: "pending", created: T0 };
    const r2: RefundStub = { ...r1, id: "re_1JasperThird2", created: T0 + 1 };
    const r3: RefundStub = { ...r1, id: "re_1JasperThird3", amount: 4084, created: T0 + 2 };
    const takenBack = async () =>
      (await adjustments()).reduce((sum, e) => sum - e.deltas.purchased, 0);

    it("never take back more than the package in total", async () => {
      // The newest succeeds first, while the two older are pending.
      const state = await setUp([r1, r2, { ...r3, status: "succeeded" }]);
      await deliver(completed());
      expect(await takenBack()).toBe(167);
      state.refunds = [r1, r2, r3].map((r) => ({ ...r, status: "succeeded" }));
      await deliver(refundUpdated(state.refunds[0]!));
      expect(await adjustments()).toHaveLength(3);
      expect(await takenBack()).toBe(500);
      expect(await purchased()).toBe(500);
    });

    it("never take back more than the package when their events arrive at once", async () => {
      const state = await setUp([r1, r2, r3]);
      await deliver(completed());
      state.refunds = [r1, r2, r3].map((r) => ({ ...r, status: "succeeded" }));
      const events = [...state.refunds, ...state.refunds].map((r) => refundUpdated(r));
      const results = await Promise.all(
        events.map((e) => h.server.inject(signedStripeDelivery(e))),
      );
      expect(results.map((r) => r.statusCode)).toStrictEqual(events.map(() => 200));
      expect(await adjustments()).toHaveLength(3);
      expect(await takenBack()).toBe(500);
    });
  });
});
