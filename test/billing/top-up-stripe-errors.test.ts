import { describe, expect, it } from "@jest/globals";
import Stripe from "stripe";
import { topUpAttemptKey } from "../../src/billing/pay-top-up.js";
import { growthAttempt } from "../support/top-up-fixtures.js";
import {
  ACME,
  T0,
  growthIntent,
  mockStripeEachTest,
  payerWorld,
} from "../support/top-up-payer-kit.js";

/**
 * What the top-up job does with an error that is not a decline: a refusal that a retry would
 * only repeat settles the attempt `failed` (and frees the account for the next crossing); a
 * server-side error leaves it in flight for the queue to retry with the same key, since Stripe
 * may have made the intent.
 */
const key = topUpAttemptKey(ACME, "entry-1");

describe("the top-up job when Stripe answers an error other than a decline", () => {
  mockStripeEachTest();

  it("settles a refused request as failed, follows it up once, and throws Stripe's error", async () => {
    const w = await payerWorld();
    w.stripeAnswers(400, {
      error: {
        type: "invalid_request_error",
        message: "No such PaymentMethod: 'pm_1Visa9001'",
        param: "payment_method",
      },
    });
    await expect(w.payer().run(ACME, "entry-1")).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(await w.store.topUpAttempts.find(ACME, key)).toMatchObject({
      state: "failed",
      outcome: "failed",
      paymentIntent: null,
    });
    expect(w.notPaid).toStrictEqual([[key, "failed"]]);
    // The job again: settled, so Stripe is not asked and nothing is said twice.
    expect(await w.payer().run(ACME, "entry-1")).toStrictEqual({
      status: "skipped",
      because: "settled",
    });
    expect(w.created).toHaveLength(1);
    expect(w.notPaid).toHaveLength(1);
  });

  it("settles a refused request without a follow-up wired, still throwing Stripe's own error", async () => {
    const w = await payerWorld();
    w.stripeAnswers(400, { error: { type: "invalid_request_error", message: "Invalid currency" } });
    await expect(w.payer({ onNotPaid: undefined }).run(ACME, "entry-1")).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidRequestError,
    );
    expect(await w.store.topUpAttempts.find(ACME, key)).toMatchObject({ outcome: "failed" });
  });

  it.each([500, 503])(
    "leaves the attempt in flight on a %i whose body is not Stripe's API error, and retries with the same key",
    async (status) => {
      const w = await payerWorld();
      // A gateway in front of Stripe answering JSON with a string `error`: stripe-node makes
      // that a StripeError that is not a StripeAPIError, with the HTTP status on it.
      w.stripeAnswers(status, { error: "upstream_unavailable", error_description: "try later" });
      const first = w.payer().run(ACME, "entry-1");
      await expect(first).rejects.toBeInstanceOf(Stripe.errors.StripeError);
      await expect(first).rejects.not.toBeInstanceOf(Stripe.errors.StripeAPIError);
      expect(await w.store.topUpAttempts.find(ACME, key)).toMatchObject({
        state: "in_flight",
        outcome: null,
        paymentIntent: null,
      });
      expect(w.notPaid).toStrictEqual([]);

      w.stripeAnswers(200, growthIntent("pi_3AfterGateway"));
      expect(await w.payer().run(ACME, "entry-1")).toMatchObject({
        status: "requested",
        paymentIntent: "pi_3AfterGateway",
      });
      expect(w.created.map((c) => c.idempotencyKey)).toStrictEqual([key, key]);
      expect(w.created[1]?.body).toStrictEqual(w.created[0]?.body);
    },
  );

  it("settles nothing and says nothing when the attempt was settled before settleFailed reached it", async () => {
    // The sweep read the attempt in flight; the success event settled it paid meanwhile.
    const w = await payerWorld();
    const begun = await w.store.topUpAttempts.begin(growthAttempt(ACME, key, T0));
    if (begun.status !== "begun") throw new Error(`not begun: ${begun.status}`);
    await w.store.topUpAttempts.linkPaymentIntent(ACME, key, "pi_3PaidMeanwhile");
    await w.store.topUpAttempts.settle(ACME, key, "paid", T0);

    await w.payer().settleFailed(begun.attempt);
    expect(await w.store.topUpAttempts.find(ACME, key)).toMatchObject({
      state: "succeeded",
      outcome: "paid",
    });
    expect(w.notPaid).toStrictEqual([]);
  });

  it("settles an attempt failed without a follow-up wired", async () => {
    const w = await payerWorld();
    const begun = await w.store.topUpAttempts.begin(growthAttempt(ACME, key, T0));
    if (begun.status !== "begun") throw new Error(`not begun: ${begun.status}`);
    await w.payer({ onNotPaid: undefined }).settleFailed(begun.attempt);
    expect(await w.store.topUpAttempts.find(ACME, key)).toMatchObject({
      state: "failed",
      outcome: "failed",
    });
  });
});
