import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { createTopUpPayer, topUpAttemptKey } from "../../src/billing/pay-top-up.js";
import type { AttemptOutcome, TopUpAttempt } from "../../src/billing/top-up-attempt-store.js";
import { ATTEMPT_METADATA_KEY } from "../../src/billing/top-up-payment-events.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { STRIPE_API, testStripe } from "../support/stripe-test-kit.js";
import { GROWTH_SETTINGS } from "../support/top-up-fixtures.js";

/**
 * The top-up job: checks again, records the attempt, then creates one off-session
 * PaymentIntent per crossing, whatever fails and however often the job runs.
 */
const acme = toAccountId(9001);
const CUSTOMER = "cus_TAcme9001";
const CARD = "pm_1Visa9001";
const T0 = new Date("2026-11-20T10:00:00Z");

/** A PaymentIntent as stripe-node 23 (API 2026-10-28) answers its creation. */
const intent = (id: string, over: Partial<Stripe.PaymentIntent> = {}) =>
  ({
    id,
    object: "payment_intent",
    amount: 12250,
    amount_received: 12250,
    currency: "usd",
    customer: CUSTOMER,
    payment_method: CARD,
    confirmation_method: "automatic",
    capture_method: "automatic_async",
    created: 1_796_205_600,
    last_payment_error: null,
    livemode: false,
    metadata: {},
    status: "succeeded",
    ...over,
  }) satisfies Partial<Stripe.PaymentIntent>;

/** Stripe's 402 for a decline on confirmation, with the intent it made. */
const cardError = (code: string, piId: string) => ({
  error: {
    type: "card_error",
    code,
    ...(code === "card_declined" ? { decline_code: "insufficient_funds" } : {}),
    message: "Your card was declined.",
    payment_intent: intent(piId, {
      status: "requires_payment_method",
      amount_received: 0,
      last_payment_error: { type: "card_error", code } as Stripe.PaymentIntent.LastPaymentError,
    }),
  },
});

describe("the top-up job", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let store: Store;
  let clock: Date;
  let balance: number;
  let notPaid: Array<[string, AttemptOutcome]>;
  /** The creation requests Stripe received: body and idempotency key. */
  let created: Array<{ body: Record<string, string>; key: string | undefined }>;

  beforeEach(async () => {
    store = createMemoryStore();
    clock = T0;
    balance = 5;
    notPaid = [];
    created = [];
    await store.stripeCustomers.record({ accountId: acme, customerId: CUSTOMER, createdAt: T0 });
    await store.stripeCustomers.savePaymentMethod(acme, CUSTOMER, {
      id: CARD,
      brand: "visa",
      last4: "4242",
      savedAt: T0,
    });
    await store.autoTopUp.save(acme, GROWTH_SETTINGS, T0);
  });

  const payer = (stripe: Stripe = testStripe()) =>
    createTopUpPayer({
      stripe,
      settings: store.autoTopUp,
      customers: store.stripeCustomers,
      attempts: store.topUpAttempts,
      balance: async () => balance,
      packages: DEFAULT_PACKAGES,
      onNotPaid: async (a: TopUpAttempt, outcome) => {
        notPaid.push([a.attemptKey, outcome]);
      },
      now: () => clock,
    });

  /** POST /v1/payment_intents answered with `status` and `body`, recording each request. */
  const stripeAnswers = (status: number, body: object, times = 1) =>
    nock(STRIPE_API)
      .post("/v1/payment_intents")
      .times(times)
      .reply(function (_uri, requestBody) {
        const params = new URLSearchParams(String(requestBody));
        created.push({
          body: Object.fromEntries(params),
          key: this.req.headers["idempotency-key"] as string | undefined,
        });
        return [status, body];
      });

  it("creates one off-session PaymentIntent for the package, recorded and linked", async () => {
    stripeAnswers(200, intent("pi_3Paid"));
    const result = await payer().run(acme, "entry-1");
    expect(result).toMatchObject({ status: "requested", paymentIntent: "pi_3Paid" });
    const key = topUpAttemptKey(acme, "entry-1");
    expect(created).toStrictEqual([
      {
        body: {
          amount: "12250",
          currency: "usd",
          customer: CUSTOMER,
          payment_method: CARD,
          off_session: "true",
          confirm: "true",
          description: "Jasper automatic top-up: 500 credits",
          [`metadata[${ATTEMPT_METADATA_KEY}]`]: key,
        },
        key,
      },
    ]);
    expect(await store.topUpAttempts.find(acme, key)).toMatchObject({
      state: "in_flight",
      paymentIntent: "pi_3Paid",
      credits: 500,
      priceCents: 12250,
    });
    // The job again (a redelivery): nothing asked of Stripe.
    expect(await payer().run(acme, "entry-1")).toMatchObject({ status: "requested" });
    expect(created).toHaveLength(1);
  });

  it("leaves the attempt in flight when Stripe is unreachable, and retries with the same key", async () => {
    // Stripe unreachable: a port on 127.0.0.1 where nothing listens (connection refused).
    nock.enableNetConnect("127.0.0.1:9");
    const unreachable = new Stripe("sk_test_jasper", {
      host: "127.0.0.1",
      port: 9,
      protocol: "http",
      maxNetworkRetries: 0,
      timeout: 5_000,
    });
    await expect(payer(unreachable).run(acme, "entry-1")).rejects.toBeInstanceOf(
      Stripe.errors.StripeConnectionError,
    );
    nock.disableNetConnect();
    const key = topUpAttemptKey(acme, "entry-1");
    expect(await store.topUpAttempts.find(acme, key)).toMatchObject({
      state: "in_flight",
      paymentIntent: null,
    });
    stripeAnswers(500, { error: { type: "api_error", message: "overloaded" } });
    await expect(payer().run(acme, "entry-1")).rejects.toThrow();
    // Meanwhile the balance rose above the threshold: the retry continues its attempt anyway
    // (Stripe may have made the intent already), with the same key and parameters.
    balance = 900;
    stripeAnswers(200, intent("pi_3Later"));
    expect(await payer().run(acme, "entry-1")).toMatchObject({ paymentIntent: "pi_3Later" });
    expect(created.map((c) => c.key)).toStrictEqual([key, key]);
    expect(created[0]?.body).toStrictEqual(created[1]?.body);
    // Another crossing while it is in flight begins nothing: one attempt at a time.
    balance = 5;
    expect(await payer().run(acme, "entry-2")).toStrictEqual({
      status: "skipped",
      because: "in_flight",
    });
  });

  it.each([
    ["card_declined", "declined"],
    ["authentication_required", "authentication_required"],
  ] as const)("settles a synchronous %s at once, and follows up once", async (code, outcome) => {
    stripeAnswers(402, cardError(code, "pi_3Declined"));
    const result = await payer().run(acme, "entry-1");
    expect(result).toMatchObject({ status: "not_paid", outcome });
    const key = topUpAttemptKey(acme, "entry-1");
    expect(await store.topUpAttempts.find(acme, key)).toMatchObject({
      state: "failed",
      outcome,
      paymentIntent: "pi_3Declined",
    });
    expect(notPaid).toStrictEqual([[key, outcome]]);
    // The job again: settled, nothing asked of Stripe, no second follow-up.
    expect(await payer().run(acme, "entry-1")).toStrictEqual({
      status: "skipped",
      because: "settled",
    });
    expect(notPaid).toHaveLength(1);
  });

  it("asks Stripe nothing when switched off, without a card, or above the threshold", async () => {
    balance = 11;
    expect(await payer().run(acme, "entry-1")).toMatchObject({ because: "above_threshold" });
    balance = 10;
    await store.autoTopUp.switchOff(acme, "declined", T0);
    expect(await payer().run(acme, "entry-2")).toMatchObject({ because: "switched_off" });
    expect(await store.topUpAttempts.recent(acme, new Date(0))).toHaveLength(0);
  });

  it("tries a declining card at most once an hour, by the clock", async () => {
    stripeAnswers(402, cardError("card_declined", "pi_3First"));
    await payer().run(acme, "entry-1");
    clock = new Date(T0.getTime() + 59 * 60_000);
    expect(await payer().run(acme, "entry-2")).toMatchObject({ because: "too_soon" });
    clock = new Date(T0.getTime() + 60 * 60_000);
    stripeAnswers(200, intent("pi_3Second"));
    expect(await payer().run(acme, "entry-3")).toMatchObject({ paymentIntent: "pi_3Second" });
    expect(created).toHaveLength(2);
  });

  it("creates one PaymentIntent for 50 crossings at once", async () => {
    stripeAnswers(200, intent("pi_3Once"));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => payer().run(acme, `entry-${i}`)),
    );
    expect(results.filter((r) => r.status === "requested")).toHaveLength(1);
    expect(created).toHaveLength(1);
    expect(await store.topUpAttempts.recent(acme, new Date(0))).toHaveLength(1);
  });

  it("stops at the month's count", async () => {
    for (let i = 0; i < 3; i++) {
      clock = new Date(T0.getTime() + i * 2 * 60 * 60_000);
      stripeAnswers(200, intent(`pi_3Month${i}`));
      await payer().run(acme, `entry-${i}`);
      await store.topUpAttempts.settle(acme, topUpAttemptKey(acme, `entry-${i}`), "paid", clock);
    }
    clock = new Date(T0.getTime() + 10 * 60 * 60_000);
    expect(await payer().run(acme, "entry-9")).toMatchObject({ because: "monthly_count_reached" });
    expect(created).toHaveLength(3);
  });
});
