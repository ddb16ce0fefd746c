import { describe, expect, it } from "@jest/globals";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { topUpAttemptKey } from "../../src/billing/pay-top-up.js";
import type { TopUpAttemptStore } from "../../src/billing/top-up-attempt-store.js";
import {
  ACME,
  CARD,
  CUSTOMER,
  growthIntent,
  mockStripeEachTest,
  payerWorld,
} from "../support/top-up-payer-kit.js";

/**
 * The check the top-up job makes before it records an attempt: what it refuses charges
 * nothing and records nothing, and of two crossings checked at once one attempt begins.
 */
describe("the top-up job's check before charging", () => {
  mockStripeEachTest();

  const attemptsOf = async (w: Awaited<ReturnType<typeof payerWorld>>) =>
    w.store.topUpAttempts.recent(ACME, new Date(0));

  it("charges nothing in a billing currency Jasper does not price", async () => {
    const w = await payerWorld();
    const result = await w.payer({ billingCurrency: async () => "jpy" }).run(ACME, "entry-1");
    expect(result).toStrictEqual({ status: "skipped", because: "unknown_package" });
    expect(await attemptsOf(w)).toStrictEqual([]);
  });

  it("charges nothing for an account that never set up a card", async () => {
    const w = await payerWorld({ card: false });
    expect(await w.payer().run(ACME, "entry-1")).toStrictEqual({
      status: "skipped",
      because: "no_card",
    });
    expect(await attemptsOf(w)).toStrictEqual([]);
  });

  it("charges nothing when the chosen package is no longer on sale", async () => {
    const w = await payerWorld();
    const withoutGrowth = DEFAULT_PACKAGES.filter((p) => p.id !== "growth");
    expect(await w.payer({ packages: withoutGrowth }).run(ACME, "entry-1")).toStrictEqual({
      status: "skipped",
      because: "unknown_package",
    });
    expect(await attemptsOf(w)).toStrictEqual([]);
  });

  it("records the attempt at the time it is made when no clock is given", async () => {
    const w = await payerWorld();
    w.stripeAnswers(200, growthIntent("pi_3RealClock"));
    const before = Date.now();
    const result = await w.payer({ now: undefined }).run(ACME, "entry-1");
    const after = Date.now();
    expect(result).toMatchObject({ status: "requested", paymentIntent: "pi_3RealClock" });
    const attempt = await w.store.topUpAttempts.find(ACME, topUpAttemptKey(ACME, "entry-1"));
    expect(attempt?.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(attempt?.createdAt.getTime()).toBeLessThanOrEqual(after);
    expect(w.created).toHaveLength(1);
  });

  it("begins one attempt of two crossings that both passed the check, and says the other is in flight", async () => {
    const w = await payerWorld();
    const store = w.store.topUpAttempts;
    // Both jobs read the account's attempts (none) before either begins one: the store's
    // one-in-flight rule alone decides, as with two workers at once.
    let reads = 0;
    let bothRead!: () => void;
    const bothHaveRead = new Promise<void>((resolve) => (bothRead = resolve));
    const attempts: TopUpAttemptStore = {
      begin: (a) => store.begin(a),
      find: (account, key) => store.find(account, key),
      linkPaymentIntent: (account, key, pi) => store.linkPaymentIntent(account, key, pi),
      findByPaymentIntentAcrossAccounts: (pi) => store.findByPaymentIntentAcrossAccounts(pi),
      settle: (account, key, outcome, at) => store.settle(account, key, outcome, at),
      recent: async (account, since) => {
        const found = await store.recent(account, since);
        if (++reads === 2) bothRead();
        await bothHaveRead;
        return found;
      },
    };
    w.stripeAnswers(200, growthIntent("pi_3OneOfTwo"));
    const results = await Promise.all([
      w.payer({ attempts }).run(ACME, "entry-1"),
      w.payer({ attempts }).run(ACME, "entry-2"),
    ]);
    expect(reads).toBe(2);
    const requested = results.filter((r) => r.status === "requested");
    expect(requested).toMatchObject([{ paymentIntent: "pi_3OneOfTwo" }]);
    expect(results.filter((r) => r.status !== "requested")).toStrictEqual([
      { status: "skipped", because: "in_flight" },
    ]);
    expect(w.created).toHaveLength(1);
    expect(w.created[0]?.body).toMatchObject({ customer: CUSTOMER, payment_method: CARD });
    expect(await attemptsOf(w)).toHaveLength(1);
  });
});
