import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import {
  billingHarness,
  mockPaymentIntent,
  mockRefundList,
  mockSessionOfPayment,
  recordCheckout,
  signedStripeDelivery,
  STRIPE_API,
  stripeEvent,
  type BillingHarness,
} from "../support/stripe-test-kit.js";

/** The fixture: a Starter purchase (100 credits for $30.00) by account 9002. */
const account = toAccountId(9002);
const CHARGE = "ch_3Jasper0Starter9002";
const PI = "pi_3Jasper0Starter9002";
const PAYMENT = { paymentIntent: PI, charge: CHARGE };
const T0 = 1794916800;

const refunded = (amountRefunded: number, object: Record<string, unknown> = {}) =>
  stripeEvent("charge.refunded", {
    id: `evt_1Jasper0Refunded${amountRefunded}`,
    object: { amount_refunded: amountRefunded, ...object },
  });

describe("Stripe webhook: refunds take credits back", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  afterEach(() => h?.server.close());

  /** As the webhook leaves it: the session recorded at checkout, linked to its payment. */
  const buyStarter = async () => {
    await recordCheckout(h.store, {
      sessionId: "cs_test_starter9002",
      accountId: account,
      packageId: "starter",
      credits: 100,
      priceCents: 3000,
    });
    await h.store.checkoutSessions.linkPaymentIntent("cs_test_starter9002", PI);
    return h.ledger.grant(account, {
      type: "purchase",
      amount: 100,
      description: "Starter package: 100 credits",
      idempotencyKey: "stripe-checkout:cs_test_starter9002",
    });
  };
  const adjustments = async () =>
    (await h.store.ledger.list(account, { types: ["adjustment"], limit: 100 })).reverse();
  const purchased = async () => (await h.ledger.summary(account)).buckets.purchased;

  it("takes back a share per refund, once per refund id, however often redelivered", async () => {
    h = await billingHarness();
    await buyStarter();

    // $9.00 of $30.00 refunded: 30 credits. Delivered twice.
    const first = [{ id: "re_1Jasper0A", amount: 900, status: "succeeded", created: T0 }];
    mockRefundList(PAYMENT, first);
    mockRefundList(PAYMENT, first);
    for (let i = 0; i < 2; i++) {
      const res = await h.server.inject(signedStripeDelivery(refunded(900)));
      expect(res.json()).toStrictEqual({ received: true, result: "taken_back" });
    }
    expect((await adjustments()).map((e) => e.amount)).toStrictEqual([-30]);
    expect(await purchased()).toBe(70);

    // Another $6.00: 20 more credits; the first refund is listed again and is a replay.
    const both = [
      ...first,
      { id: "re_1Jasper0B", amount: 600, status: "succeeded", created: T0 + 60 },
    ];
    mockRefundList(PAYMENT, both);
    mockRefundList(PAYMENT, both);
    for (let i = 0; i < 2; i++) {
      await h.server.inject(signedStripeDelivery(refunded(1500)));
    }

    const entries = await adjustments();
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => [e.idempotencyKey, e.amount, e.uncollected])).toStrictEqual([
      ["stripe-refund:re_1Jasper0A", -30, 0],
      ["stripe-refund:re_1Jasper0B", -20, 0],
    ]);
    expect(entries[1]).toMatchObject({
      deltas: { free: 0, plan: 0, bonus: 0, purchased: -20 },
      description: "Stripe refund re_1Jasper0B (Starter package): 20 credits taken back",
      reference: { kind: "stripe", charge: CHARGE, paymentIntent: PI },
    });
    expect(await purchased()).toBe(50);
  });

  it("never takes the balance below zero: what was already spent is recorded as uncollected", async () => {
    h = await billingHarness();
    await buyStarter();
    for (let n = 1; n <= 95; n++) {
      await h.ledger.charge(account, {
        action: "review",
        description: `Review of acme/widgets#${n}`,
        idempotencyKey: `review-${n}`,
      });
    }
    expect(await purchased()).toBe(5);

    mockRefundList(PAYMENT, [
      { id: "re_1Jasper0Full", amount: 3000, status: "succeeded", created: T0 },
    ]);
    const res = await h.server.inject(signedStripeDelivery(refunded(3000, { refunded: true })));
    expect(res.json()).toStrictEqual({ received: true, result: "taken_back" });

    const [entry] = await adjustments();
    expect(entry).toMatchObject({ amount: -5, uncollected: 95, balanceAfter: 0 });
    const summary = await h.ledger.summary(account);
    expect(summary.balance).toBe(0);
    expect(summary.buckets).toStrictEqual({ free: 0, plan: 0, bonus: 0, purchased: 0 });
  });

  it("never takes back more than the package gave, whatever the rounding", async () => {
    h = await billingHarness();
    await buyStarter();
    // Three refunds of $10.00, listed out of order: 33 credits each, oldest first.
    mockRefundList(PAYMENT, [
      { id: "re_1Jasper0R3", amount: 1000, status: "succeeded", created: T0 + 2 },
      { id: "re_1Jasper0R1", amount: 1000, status: "succeeded", created: T0 },
      { id: "re_1Jasper0R2", amount: 1000, status: "succeeded", created: T0 + 1 },
    ]);
    await h.server.inject(signedStripeDelivery(refunded(3000, { refunded: true })));
    const entries = await adjustments();
    expect(entries.map((e) => [e.idempotencyKey, e.amount])).toStrictEqual([
      ["stripe-refund:re_1Jasper0R1", -33],
      ["stripe-refund:re_1Jasper0R2", -33],
      ["stripe-refund:re_1Jasper0R3", -33],
    ]);
    expect(await purchased()).toBe(1);

    // A one-cent refund still takes a credit, but a second one finds nothing left to take:
    // the refunds together never take back more than the 100 credits bought.
    mockRefundList(PAYMENT, [
      { id: "re_1Jasper0R1", amount: 1000, status: "succeeded", created: T0 },
      { id: "re_1Jasper0R2", amount: 1000, status: "succeeded", created: T0 + 1 },
      { id: "re_1Jasper0R3", amount: 1000, status: "succeeded", created: T0 + 2 },
      { id: "re_1Jasper0R4", amount: 1, status: "succeeded", created: T0 + 3 },
      { id: "re_1Jasper0R5", amount: 1, status: "succeeded", created: T0 + 4 },
    ]);
    // The refund that found no room is answered like any other: nothing written for it, so
    // nothing audited, and no error that would make Stripe send the event again.
    const trimmed = await h.server.inject(signedStripeDelivery(refunded(3002, { refunded: true })));
    expect(trimmed.statusCode).toBe(200);
    expect(trimmed.json()).toStrictEqual({ received: true, result: "taken_back" });
    expect((await adjustments()).map((e) => e.amount)).toStrictEqual([-33, -33, -33, -1]);
    expect(await purchased()).toBe(0);
  });

  it("trims the same refund on every delivery when two were made in the same second", async () => {
    h = await billingHarness();
    // Two refunds of $15.15 round to 51 credits each, 2 more than bought: whichever is second
    // by id gets what is left, however Stripe lists them.
    const b = { id: "re_1Jasper0RB", amount: 1515, status: "succeeded", created: T0 };
    const a = { id: "re_1Jasper0RA", amount: 1515, status: "succeeded", created: T0 };
    for (const listed of [
      [b, a],
      [a, b],
    ]) {
      await h.server.close();
      h = await billingHarness();
      await buyStarter();
      mockRefundList(PAYMENT, listed);
      await h.server.inject(signedStripeDelivery(refunded(3030, { refunded: true })));
      expect((await adjustments()).map((e) => [e.idempotencyKey, e.amount])).toStrictEqual([
        ["stripe-refund:re_1Jasper0RA", -51],
        ["stripe-refund:re_1Jasper0RB", -49],
      ]);
      expect(await purchased()).toBe(0);
    }
  });

  it("counts only this payment's take-backs against what its refunds may still take", async () => {
    h = await billingHarness();
    await buyStarter();
    // A second Starter, paid with another payment, and an operator's own adjustment.
    const PI_B = "pi_3Jasper0StarterB9002";
    const PAYMENT_B = { paymentIntent: PI_B, charge: "ch_3Jasper0StarterB9002" };
    await recordCheckout(h.store, {
      sessionId: "cs_test_starterB9002",
      accountId: account,
      packageId: "starter",
      credits: 100,
      priceCents: 3000,
    });
    await h.store.checkoutSessions.linkPaymentIntent("cs_test_starterB9002", PI_B);
    await h.ledger.grant(account, {
      type: "purchase",
      amount: 100,
      description: "Starter package: 100 credits",
      idempotencyKey: "stripe-checkout:cs_test_starterB9002",
    });
    await h.ledger.adjust(account, {
      amount: -10,
      bucket: "purchased",
      description: "Operator correction",
      reference: { kind: "operator", actor: "ops" },
      idempotencyKey: "ops-correction-1",
    });
    expect(await purchased()).toBe(190);

    // The first payment refunded in full: its 100 credits go.
    mockRefundList(PAYMENT, [
      { id: "re_1Jasper0FullA", amount: 3000, status: "succeeded", created: T0 },
    ]);
    await h.server.inject(signedStripeDelivery(refunded(3000, { refunded: true })));
    expect(await purchased()).toBe(90);

    // The second one refunded in full: the first's take-back and the operator's adjustment are
    // not this payment's, so all of its 100 may go (90 from the bucket, 10 uncollected).
    mockRefundList(PAYMENT_B, [
      { id: "re_1Jasper0FullB", amount: 3000, status: "succeeded", created: T0 + 60 },
    ]);
    const res = await h.server.inject(
      signedStripeDelivery(
        stripeEvent("charge.refunded", {
          id: "evt_1Jasper0RefundedB",
          object: {
            id: PAYMENT_B.charge,
            payment_intent: PI_B,
            amount_refunded: 3000,
            refunded: true,
          },
        }),
      ),
    );
    expect(res.json()).toStrictEqual({ received: true, result: "taken_back" });
    const takeBacks = (await adjustments()).filter((e) =>
      e.idempotencyKey.startsWith("stripe-refund:"),
    );
    expect(takeBacks.map((e) => [e.idempotencyKey, e.amount, e.uncollected])).toStrictEqual([
      ["stripe-refund:re_1Jasper0FullA", -100, 0],
      ["stripe-refund:re_1Jasper0FullB", -90, 10],
    ]);
    expect(await purchased()).toBe(0);
  });

  it("takes nothing back for a succeeded refund of nothing", async () => {
    h = await billingHarness();
    await buyStarter();
    mockRefundList(PAYMENT, [
      { id: "re_1Jasper0Zero", amount: 0, status: "succeeded", created: T0 },
    ]);
    const answer = await h.server.inject(signedStripeDelivery(refunded(0)));
    expect(answer.json()).toMatchObject({ result: "ignored" });
    expect(await adjustments()).toStrictEqual([]);
    expect(await purchased()).toBe(100);
  });

  it("reads every page of refunds", async () => {
    h = await billingHarness();
    await buyStarter();
    const refund = (id: string, amount: number, created: number) => ({
      object: "refund",
      id,
      amount,
      status: "succeeded",
      created,
      currency: "usd",
      charge: CHARGE,
    });
    nock(STRIPE_API)
      .get("/v1/refunds")
      .query({ payment_intent: PI, limit: "100" })
      .reply(200, {
        object: "list",
        url: "/v1/refunds",
        has_more: true,
        data: [refund("re_1Jasper0P2", 600, T0 + 1)],
      })
      .get("/v1/refunds")
      .query({ payment_intent: PI, limit: "100", starting_after: "re_1Jasper0P2" })
      .reply(200, {
        object: "list",
        url: "/v1/refunds",
        has_more: false,
        data: [refund("re_1Jasper0P1", 900, T0)],
      });
    await h.server.inject(signedStripeDelivery(refunded(1500)));
    expect((await adjustments()).map((e) => [e.idempotencyKey, e.amount])).toStrictEqual([
      ["stripe-refund:re_1Jasper0P1", -30],
      ["stripe-refund:re_1Jasper0P2", -20],
    ]);
  });

  it("waits for a pending refund, and takes it back when refund.updated says it succeeded", async () => {
    h = await billingHarness();
    await buyStarter();
    const pending = { id: "re_1Jasper0Slow", amount: 1500, status: "pending", created: T0 };
    mockRefundList(PAYMENT, [pending]);
    const first = await h.server.inject(signedStripeDelivery(refunded(1500)));
    expect(first.json()).toStrictEqual({ received: true, result: "ignored" });
    expect(await adjustments()).toHaveLength(0);

    const charge = stripeEvent("charge.refunded").data.object;
    nock(STRIPE_API)
      .get(`/v1/charges/${CHARGE}`)
      .reply(200, { ...charge, amount_refunded: 1500 });
    mockRefundList(PAYMENT, [{ ...pending, status: "succeeded" }]);
    const updated = await h.server.inject(
      signedStripeDelivery({
        id: "evt_1Jasper0RefundUpdated",
        object: "event",
        api_version: "2026-10-28.endive",
        created: T0 + 3600,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type: "refund.updated",
        data: {
          object: {
            ...pending,
            object: "refund",
            status: "succeeded",
            charge: CHARGE,
            currency: "usd",
          },
        },
      }),
    );
    expect(updated.json()).toStrictEqual({ received: true, result: "taken_back" });
    expect((await adjustments()).map((e) => e.amount)).toStrictEqual([-50]);
  });

  it("finds the purchase by payment intent whatever the charge's metadata; ignores others' charges", async () => {
    h = await billingHarness();
    await buyStarter();
    mockRefundList(PAYMENT, [
      { id: "re_1Jasper0Meta", amount: 900, status: "succeeded", created: T0 },
    ]);
    const res = await h.server.inject(signedStripeDelivery(refunded(900, { metadata: {} })));
    expect(res.json().result).toBe("taken_back");

    // Stripe has no Checkout Session for that payment: not a purchase at all.
    mockSessionOfPayment("pi_someone_else", null);
    const foreign = await h.server.inject(
      signedStripeDelivery(
        refunded(900, { id: "ch_someone_else", metadata: {}, payment_intent: "pi_someone_else" }),
      ),
    );
    expect(foreign.json().result).toBe("ignored");
    expect((await adjustments()).map((e) => e.amount)).toStrictEqual([-30]);
  });
});

describe("Stripe webhook: refunds take back only what the payment bought", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  afterEach(() => h?.server.close());

  const victim = toAccountId(9001);
  const purchased = async (id = account) => (await h.ledger.summary(id)).buckets.purchased;
  const grantTo = (id: typeof account, sessionId: string, amount = 100) =>
    h.ledger.grant(id, {
      type: "purchase",
      amount,
      description: "Starter package: 100 credits",
      idempotencyKey: `stripe-checkout:${sessionId}`,
    });
  const recordStarter = async (sessionId: string, accountId = account) => {
    await recordCheckout(h.store, {
      sessionId,
      accountId,
      packageId: "starter",
      credits: 100,
      priceCents: 3000,
    });
    await h.store.checkoutSessions.linkPaymentIntent(sessionId, PI);
  };

  it("takes nothing from anyone for a charge Jasper did not sell, whatever its metadata names", async () => {
    h = await billingHarness();
    await recordStarter("cs_test_starter9002");
    await grantTo(account, "cs_test_starter9002");
    // A charge made on the Stripe account directly, labelled as account 9002's Starter.
    mockSessionOfPayment("pi_3Forged", null);
    const forged = refunded(3000, {
      id: "ch_3Forged",
      payment_intent: "pi_3Forged",
      refunded: true,
    });
    const res = await h.server.inject(signedStripeDelivery(forged));
    expect(res.json()).toStrictEqual({ received: true, result: "ignored" });
    expect(await purchased()).toBe(100);
  });

  it("takes back from the account that bought, not the one the metadata names", async () => {
    h = await billingHarness();
    await recordStarter("cs_test_starter9002");
    await grantTo(account, "cs_test_starter9002");
    await grantTo(victim, "cs_test_victim9001");
    mockRefundList(PAYMENT, [
      { id: "re_1Jasper0Own", amount: 900, status: "succeeded", created: T0 },
    ]);
    const relabelled = refunded(900, {
      metadata: { accountId: "9001", packageId: "scale", credits: "2000" },
    });
    const res = await h.server.inject(signedStripeDelivery(relabelled));
    expect(res.json()).toStrictEqual({ received: true, result: "taken_back" });
    expect(await purchased()).toBe(70);
    expect(await purchased(victim)).toBe(100);
  });

  it("settles a purchase not granted yet before taking back, and takes nothing else", async () => {
    h = await billingHarness();
    // Recorded and linked, but the grant never happened (its completion is still on the
    // way); the account has other credits, which the refund must leave alone.
    await recordStarter("cs_test_starter9002");
    await grantTo(account, "cs_test_other9002", 100);
    mockSessionOfPayment(
      PI,
      stripeEvent("checkout.session.completed", {
        object: {
          id: "cs_test_starter9002",
          amount_total: 3000,
          amount_subtotal: 3000,
          client_reference_id: "9002",
          metadata: { accountId: "9002", packageId: "starter", credits: "100" },
          payment_intent: PI,
        },
      }).data.object,
    );
    mockPaymentIntent(PI, null, 1, [
      { id: "re_1Jasper0Early", amount: 3000, status: "succeeded", created: T0 },
    ]);
    const res = await h.server.inject(signedStripeDelivery(refunded(3000, { refunded: true })));
    expect(res.json()).toStrictEqual({ received: true, result: "taken_back" });

    const entries = await h.store.ledger.list(account, {
      types: ["purchase", "adjustment"],
      limit: 10,
    });
    expect(entries.reverse().map((e) => [e.idempotencyKey, e.amount])).toStrictEqual([
      ["stripe-checkout:cs_test_other9002", 100],
      ["stripe-checkout:cs_test_starter9002", 100],
      ["stripe-refund:re_1Jasper0Early", -100],
    ]);
    expect(await purchased()).toBe(100);
  });

  it("takes each refund back once when its deliveries arrive at the same time", async () => {
    h = await billingHarness();
    await recordStarter("cs_test_starter9002");
    await grantTo(account, "cs_test_starter9002");
    const refunds = [{ id: "re_1Jasper0Same", amount: 900, status: "succeeded", created: T0 }];
    for (let i = 0; i < 4; i++) mockRefundList(PAYMENT, refunds);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => h.server.inject(signedStripeDelivery(refunded(900)))),
    );
    expect(results.map((r) => r.statusCode)).toStrictEqual([200, 200, 200, 200]);
    const entries = await h.store.ledger.list(account, { types: ["adjustment"], limit: 10 });
    expect(entries.map((e) => [e.idempotencyKey, e.amount])).toStrictEqual([
      ["stripe-refund:re_1Jasper0Same", -30],
    ]);
    expect(await purchased()).toBe(70);
  });
});
