import { describe, expect, it } from "@jest/globals";
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
 * An intent belongs to one attempt: the success event grants the attempt its intent is linked
 * to. If Stripe's answer names an intent another attempt owns (an idempotency key reused, a
 * mix-up), the job must not report it as this attempt's payment.
 */
describe("the top-up job given an intent that is not its attempt's", () => {
  mockStripeEachTest();

  it("fails loudly, leaving the attempt in flight and unlinked, and the intent its owner's", async () => {
    const w = await payerWorld();
    const earlier = topUpAttemptKey(ACME, "entry-0");
    const twoHoursBefore = new Date(T0.getTime() - 2 * 60 * 60_000);
    await w.store.topUpAttempts.begin(growthAttempt(ACME, earlier, twoHoursBefore));
    await w.store.topUpAttempts.linkPaymentIntent(ACME, earlier, "pi_3Earlier");
    await w.store.topUpAttempts.settle(ACME, earlier, "paid", twoHoursBefore);

    w.stripeAnswers(200, growthIntent("pi_3Earlier"));
    const key = topUpAttemptKey(ACME, "entry-1");
    // The error names both, for whoever reads the failed job.
    await expect(w.payer().run(ACME, "entry-1")).rejects.toThrow(
      `top-up ${key}: payment intent pi_3Earlier is not the attempt's own`,
    );
    expect(await w.store.topUpAttempts.find(ACME, key)).toMatchObject({
      state: "in_flight",
      paymentIntent: null,
    });
    expect(
      await w.store.topUpAttempts.findByPaymentIntentAcrossAccounts("pi_3Earlier"),
    ).toMatchObject({ attemptKey: earlier });
    expect(w.notPaid).toStrictEqual([]);
  });
});
