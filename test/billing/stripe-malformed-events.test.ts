import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { STRIPE_WEBHOOK_PATH } from "../../src/billing/stripe-webhook-route.js";
import {
  billingHarness,
  recordCheckout,
  signedStripeDelivery,
  STRIPE_API,
  stripeEvent,
  WEBHOOK_SECRET,
  type BillingHarness,
} from "../support/stripe-test-kit.js";

/**
 * Signed, so Stripe sent them, but not in the shape the handler reads. No redelivery would
 * change them: they are answered 200 "ignored" (a 500 would have Stripe retry for three
 * days), and nothing is written.
 */
const acme = toAccountId(9001);
const starterBuyer = toAccountId(9002);
const HANDLED = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "charge.refunded",
  "refund.updated",
  "charge.refund.updated",
];

/** The raw bytes, signed: for bodies that are not an event at all. */
function signedBody(payload: string) {
  return {
    method: "POST" as const,
    url: STRIPE_WEBHOOK_PATH,
    payload,
    headers: {
      "content-type": "application/json",
      "stripe-signature": Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: WEBHOOK_SECRET,
      }),
    },
  };
}

describe("Stripe webhook: malformed events", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  let before: LedgerEntry[];
  beforeEach(async () => {
    h = await billingHarness();
    // Known sessions and a purchase to take from: a bad event must not reach them either.
    await recordCheckout(h.store);
    await recordCheckout(h.store, {
      sessionId: "cs_test_starter9002",
      accountId: starterBuyer,
      packageId: "starter",
      credits: 100,
      priceCents: 3000,
    });
    await h.store.checkoutSessions.linkPaymentIntent(
      "cs_test_starter9002",
      "pi_3Jasper0Starter9002",
    );
    await h.ledger.grant(starterBuyer, {
      type: "purchase",
      amount: 100,
      description: "Starter package: 100 credits",
      idempotencyKey: "stripe-checkout:cs_test_starter9002",
    });
    before = await h.store.ledger.list(starterBuyer, { limit: 10 });
  });
  afterEach(() => h.server.close());

  const expectIgnored = async (delivery: ReturnType<typeof signedBody>) => {
    const res = await h.server.inject(delivery);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toStrictEqual({ received: true, result: "ignored" });
  };
  const expectNothingWritten = async () => {
    expect(await h.store.ledger.list(acme, { limit: 10 })).toHaveLength(0);
    expect(await h.store.ledger.list(starterBuyer, { limit: 10 })).toStrictEqual(before);
    const growth = await h.store.checkoutSessions.find("cs_test_a1Jasper0Growth9001");
    expect(growth?.paymentIntent).toBeNull();
  };

  it.each(HANDLED)("ignores %s without data.object, or with a null one", async (type) => {
    const event = stripeEvent("checkout.session.completed", { type });
    await expectIgnored(signedStripeDelivery({ ...event, data: {} }));
    await expectIgnored(signedStripeDelivery({ ...event, data: { object: null } }));
    await expectIgnored(signedStripeDelivery({ ...event, data: { object: "cs_test_a1" } }));
    await expectIgnored(signedStripeDelivery({ ...event, data: undefined }));
    await expectNothingWritten();
  });

  it.each([
    ["a payment_status that is not a string", { payment_status: 1 }],
    ["an amount in a string", { amount_total: "12250" }],
    ["a fractional amount", { amount_total: 12250.5 }],
    ["no payment_intent field", { payment_intent: undefined }],
    ["a payment_intent of the wrong type", { payment_intent: 42 }],
    ["metadata that are not strings", { metadata: { accountId: 9001 } }],
    ["another object type", { object: "payment_intent" }],
    ["no id", { id: undefined }],
  ])("ignores a paid session with %s", async (_what, change) => {
    await expectIgnored(
      signedStripeDelivery(stripeEvent("checkout.session.completed", { object: change })),
    );
    await expectNothingWritten();
  });

  it("ignores a refund event whose charge or refund is not one", async () => {
    const refunded = stripeEvent("charge.refunded");
    await expectIgnored(
      signedStripeDelivery({ ...refunded, data: { object: { id: "ch_3Jasper0Starter9002" } } }),
    );
    await expectIgnored(
      signedStripeDelivery(stripeEvent("charge.refunded", { object: { payment_intent: 42 } })),
    );
    await expectIgnored(
      signedStripeDelivery(
        stripeEvent("charge.refunded", {
          type: "refund.updated",
          object: { object: "refund", id: "re_1", status: "succeeded", charge: { no: "id" } },
        }),
      ),
    );
    await expectNothingWritten();
  });

  it("ignores a succeeded refund whose charge Stripe's API answers in another shape", async () => {
    nock(STRIPE_API)
      .get("/v1/charges/ch_3Jasper0Starter9002")
      .reply(200, { id: "ch_3Jasper0Starter9002", object: "charge" });
    await expectIgnored(
      signedStripeDelivery(
        stripeEvent("charge.refunded", {
          type: "refund.updated",
          object: {
            object: "refund",
            id: "re_1Jasper0Odd",
            status: "succeeded",
            charge: "ch_3Jasper0Starter9002",
          },
        }),
      ),
    );
    await expectNothingWritten();
  });

  it("ignores a signed body that is JSON but not an event", async () => {
    for (const payload of ["null", "[]", "42", '"event"', '{"id":7}', "{}"]) {
      await expectIgnored(signedBody(payload));
    }
    await expectNothingWritten();
  });

  it("refuses a signed body that is not JSON with a 400, as before", async () => {
    const res = await h.server.inject(signedBody("{not json"));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: "invalid_json" } });
    await expectNothingWritten();
  });
});
