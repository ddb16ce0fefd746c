import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import {
  billingHarness,
  mockPaymentIntent,
  recordCheckout,
  signedStripeDelivery,
  stripeEvent,
  type BillingHarness,
} from "../support/stripe-test-kit.js";

/**
 * A signed event proves Stripe sent it, not that Jasper sold what it says: anyone with access
 * to the Stripe account can create a Checkout Session with Jasper's metadata, or edit it. Only
 * the sessions Jasper recorded at checkout are granted, on the terms recorded.
 */
const acme = toAccountId(9001);
const SESSION = "cs_test_a1Jasper0Growth9001";
const PI = "pi_3Jasper0Growth9001";
const RECEIPT = "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xSmFzcGVyVGVzdDAwMDEo";

const completed = (object: Record<string, unknown> = {}, id = "evt_1Jasper0CheckoutCompleted") =>
  stripeEvent("checkout.session.completed", { id, object });

describe("Stripe webhook: only what Jasper sold is granted", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  afterEach(() => h?.server.close());

  const purchases = () => h.store.ledger.list(acme, { types: ["purchase"], limit: 100 });
  const deliver = async (event: unknown) => {
    const res = await h.server.inject(signedStripeDelivery(event));
    expect(res.statusCode).toBe(200);
    return res.json().result as string;
  };

  it("grants nothing for a session Jasper never created, whatever its metadata promises", async () => {
    h = await billingHarness();
    // The attack: a session made on the Stripe account directly, $0.50 for a million credits.
    const forged = completed({
      id: "cs_test_a1Forged",
      amount_total: 50,
      amount_subtotal: 50,
      metadata: { accountId: "9001", packageId: "growth", credits: "1000000" },
    });
    expect(await deliver(forged)).toBe("ignored");
    expect(await purchases()).toHaveLength(0);
    expect((await h.ledger.summary(acme)).balance).toBe(0);
  });

  it("grants the package recorded at checkout, never what edited metadata says", async () => {
    h = await billingHarness();
    await recordCheckout(h.store, {
      sessionId: "cs_test_a1Starter9001",
      packageId: "starter",
      credits: 100,
      priceCents: 3000,
    });
    // A Starter session ($30) whose metadata was edited to say Scale (2,000 credits).
    const edited = completed({
      id: "cs_test_a1Starter9001",
      amount_total: 3000,
      metadata: { accountId: "9001", packageId: "scale", credits: "2000" },
    });
    expect(await deliver(edited)).toBe("ignored");
    expect(await purchases()).toHaveLength(0);

    // The same session as Jasper made it: the recorded 100 credits.
    mockPaymentIntent(PI, RECEIPT);
    const genuine = completed({
      id: "cs_test_a1Starter9001",
      amount_total: 3000,
      metadata: { accountId: "9001", packageId: "starter", credits: "100" },
    });
    expect(await deliver(genuine)).toBe("granted");
    expect((await purchases()).map((e) => [e.amount, e.description])).toStrictEqual([
      [100, "Starter package: 100 credits"],
    ]);
  });

  it("grants nothing when the amount or currency paid is not the recorded price", async () => {
    h = await billingHarness();
    await recordCheckout(h.store);
    for (const paid of [
      { amount_total: 50 },
      { amount_total: 12249 },
      { amount_total: null },
      { currency: "eur" },
      { currency: null },
    ]) {
      expect(await deliver(completed(paid))).toBe("ignored");
    }
    expect(await purchases()).toHaveLength(0);
  });

  it("grants nothing to another account than the one recorded", async () => {
    h = await billingHarness();
    await recordCheckout(h.store);
    const elsewhere = completed({
      client_reference_id: "4242",
      metadata: { accountId: "4242", packageId: "growth", credits: "500" },
    });
    expect(await deliver(elsewhere)).toBe("ignored");
    expect(await h.store.ledger.list(toAccountId(4242), { limit: 10 })).toHaveLength(0);
    expect(await purchases()).toHaveLength(0);
  });

  it("grants the credits recorded at checkout, even if the package changed since", async () => {
    // Growth now sells 600 credits for $150; the buyer was sold 500 for $122.50.
    const packages = DEFAULT_PACKAGES.map((p) =>
      p.id === "growth" ? { ...p, credits: 600, priceCents: 15000 } : { ...p },
    );
    h = await billingHarness({ packages });
    await recordCheckout(h.store);
    mockPaymentIntent(PI, RECEIPT);
    expect(await deliver(completed())).toBe("granted");
    expect((await purchases()).map((e) => e.amount)).toStrictEqual([500]);
  });

  it("grants nothing for a session paid with another session's payment intent", async () => {
    h = await billingHarness();
    await recordCheckout(h.store);
    await recordCheckout(h.store, { sessionId: "cs_test_a1Second9001" });
    mockPaymentIntent(PI, RECEIPT);
    expect(await deliver(completed())).toBe("granted");
    expect(await deliver(completed({ id: "cs_test_a1Second9001" }))).toBe("ignored");
    expect((await purchases()).map((e) => e.reference)).toStrictEqual([
      {
        kind: "stripe",
        checkoutSession: SESSION,
        paymentIntent: PI,
        receiptUrl: RECEIPT,
        // What Stripe charged, checked against the recorded session.
        paidCents: 12250,
        currency: "usd",
      },
    ]);
  });
});
