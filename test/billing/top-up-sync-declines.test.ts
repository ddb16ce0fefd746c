import { describe, expect, it } from "@jest/globals";
import { topUpAttemptKey } from "../../src/billing/pay-top-up.js";
import {
  ACME,
  T0,
  cardDeclined,
  mockStripeEachTest,
  payerWorld,
} from "../support/top-up-payer-kit.js";

/**
 * A decline Stripe answers at once (402 card_error): settled then, followed up once with the
 * outcome the attempt holds, and never said as "not paid" of an attempt that was paid.
 */
const key = topUpAttemptKey(ACME, "entry-1");

describe("a top-up declined in Stripe's answer", () => {
  mockStripeEachTest();

  it("is settled declined and followed up when Stripe's error names no payment intent", async () => {
    const w = await payerWorld();
    w.stripeAnswers(402, cardDeclined("card_declined", null));
    const result = await w.payer().run(ACME, "entry-1");
    expect(result).toMatchObject({ status: "not_paid", outcome: "declined" });
    const attempt = await w.store.topUpAttempts.find(ACME, key);
    expect(attempt).toMatchObject({ state: "failed", outcome: "declined" });
    // No intent to link: the attempt keeps none rather than a made-up one.
    expect(attempt?.paymentIntent).toBeNull();
    expect(w.notPaid).toStrictEqual([[key, "declined"]]);
  });

  it("is answered and followed up with the outcome recorded when the failure event settled it first", async () => {
    const w = await payerWorld();
    // payment_intent.payment_failed arrived before Stripe's answer to the job: it linked the
    // intent and recorded that the bank wants the cardholder to authenticate.
    w.stripeAnswers(402, cardDeclined("card_declined", "pi_3EventFirst"), async () => {
      await w.store.topUpAttempts.linkPaymentIntent(ACME, key, "pi_3EventFirst");
      await w.store.topUpAttempts.settle(ACME, key, "authentication_required", T0);
    });
    const result = await w.payer().run(ACME, "entry-1");
    expect(result).toMatchObject({
      status: "not_paid",
      outcome: "authentication_required",
      attempt: { attemptKey: key, outcome: "authentication_required" },
    });
    expect(await w.store.topUpAttempts.find(ACME, key)).toMatchObject({
      state: "failed",
      outcome: "authentication_required",
      paymentIntent: "pi_3EventFirst",
    });
    // Repeated with the recorded outcome: the notices are keyed by attempt, so one email.
    expect(w.notPaid).toStrictEqual([[key, "authentication_required"]]);
  });

  it("is not said as not paid when the attempt was paid before the decline was read", async () => {
    const w = await payerWorld();
    // Stripe confirmed the payment (its success event settled the attempt) before the job
    // read the decline answer: the money was taken, so the payment stands.
    w.stripeAnswers(402, cardDeclined("card_declined", "pi_3PaidAfterAll"), async () => {
      await w.store.topUpAttempts.linkPaymentIntent(ACME, key, "pi_3PaidAfterAll");
      await w.store.topUpAttempts.settle(ACME, key, "paid", T0);
    });
    expect(await w.payer().run(ACME, "entry-1")).toStrictEqual({
      status: "skipped",
      because: "settled",
    });
    expect(await w.store.topUpAttempts.find(ACME, key)).toMatchObject({
      state: "succeeded",
      outcome: "paid",
      paymentIntent: "pi_3PaidAfterAll",
    });
    expect(w.notPaid).toStrictEqual([]);
  });

  it("is settled and answered without a follow-up wired", async () => {
    const w = await payerWorld();
    w.stripeAnswers(402, cardDeclined("card_declined", "pi_3NoFollowUp"));
    expect(await w.payer({ onNotPaid: undefined }).run(ACME, "entry-1")).toMatchObject({
      status: "not_paid",
      outcome: "declined",
    });
    expect(await w.store.topUpAttempts.find(ACME, key)).toMatchObject({
      outcome: "declined",
      paymentIntent: "pi_3NoFollowUp",
    });
  });
});
