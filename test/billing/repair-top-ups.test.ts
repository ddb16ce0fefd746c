import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { createTopUpPayer } from "../../src/billing/pay-top-up.js";
import { createTopUpRepair } from "../../src/billing/repair-top-ups.js";
import type { AttemptOutcome } from "../../src/billing/top-up-attempt-store.js";
import { createTopUpPaymentEvents } from "../../src/billing/top-up-payment-events.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { STRIPE_API, testStripe } from "../support/stripe-test-kit.js";
import { GROWTH_SETTINGS, growthAttempt, topUpIntent } from "../support/top-up-fixtures.js";

/**
 * Attempts left in flight with no event (a lost webhook, a job given up, a crash) are settled
 * by the sweep from what Stripe says, through the webhook's own handlers.
 */
const acme = toAccountId(9001);
const CUSTOMER = "cus_TAcme9001";
const KEY = "auto-top-up:9001:entry-1";
const T0 = new Date("2026-11-20T10:00:00Z");
const MINUTE = 60_000;

const intent = (id: string, over: Partial<Stripe.PaymentIntent> = {}) =>
  topUpIntent(id, { customer: CUSTOMER, amount: 12250, attemptKey: KEY }, over);

describe("the repair of top-up attempts stuck in flight", () => {
  let store: Store;
  let ledger: Ledger;
  let clock: Date;
  let notPaid: Array<[string, AttemptOutcome]>;

  beforeEach(async () => {
    nock.disableNetConnect();
    store = createMemoryStore();
    ledger = new Ledger({ store: store.ledger, freePerMonth: 0, now: () => clock });
    clock = T0;
    notPaid = [];
    await store.stripeCustomers.record({ accountId: acme, customerId: CUSTOMER, createdAt: T0 });
    await store.autoTopUp.save(acme, GROWTH_SETTINGS, T0);
    await store.topUpAttempts.begin(growthAttempt(acme, KEY, T0, CUSTOMER));
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(pending).toStrictEqual([]);
  });

  const repair = () => {
    const stripe = testStripe();
    const onNotPaid = async (a: { attemptKey: string }, outcome: AttemptOutcome) =>
      void notPaid.push([a.attemptKey, outcome]);
    const events = createTopUpPaymentEvents({
      ledger,
      attempts: store.topUpAttempts,
      customers: store.stripeCustomers,
      packages: DEFAULT_PACKAGES,
      audit: { record: async () => undefined },
      onNotPaid,
      now: () => clock,
    });
    const payer = createTopUpPayer({
      stripe,
      settings: store.autoTopUp,
      customers: store.stripeCustomers,
      attempts: store.topUpAttempts,
      balance: async () => 0,
      packages: DEFAULT_PACKAGES,
      onNotPaid,
      now: () => clock,
    });
    return createTopUpRepair({
      stripe,
      settings: store.autoTopUp,
      attempts: store.topUpAttempts,
      payer,
      events,
      now: () => clock,
    })();
  };
  const attempt = () => store.topUpAttempts.find(acme, KEY);
  const purchases = async () =>
    (await ledger.list(acme, { types: ["purchase"], limit: 10 })).entries;

  it("leaves an attempt alone until it is stale, then settles a declined intent from Stripe", async () => {
    await store.topUpAttempts.linkPaymentIntent(acme, KEY, "pi_3Stuck");
    clock = new Date(T0.getTime() + 14 * MINUTE);
    expect(await repair()).toBe(0);
    clock = new Date(T0.getTime() + 16 * MINUTE);
    nock(STRIPE_API)
      .get("/v1/payment_intents/pi_3Stuck")
      .reply(
        200,
        intent("pi_3Stuck", {
          status: "requires_payment_method",
          amount_received: 0,
          last_payment_error: {
            type: "card_error",
            code: "card_declined",
          } as Stripe.PaymentIntent.LastPaymentError,
        }),
      );
    expect(await repair()).toBe(1);
    expect(await attempt()).toMatchObject({ state: "failed", outcome: "declined" });
    expect(notPaid).toStrictEqual([[KEY, "declined"]]);
    expect(await repair()).toBe(0);
  });

  it("leaves one Stripe is still processing in flight, and settles a cancelled one failed", async () => {
    await store.topUpAttempts.linkPaymentIntent(acme, KEY, "pi_3Slow");
    clock = new Date(T0.getTime() + 20 * MINUTE);
    nock(STRIPE_API)
      .get("/v1/payment_intents/pi_3Slow")
      .reply(200, intent("pi_3Slow", { status: "processing", amount_received: 0 }));
    expect(await repair()).toBe(0);
    expect(await attempt()).toMatchObject({ state: "in_flight" });
    // Then cancelled: settled failed, which is no decline (it never counts towards off).
    nock(STRIPE_API)
      .get("/v1/payment_intents/pi_3Slow")
      .reply(200, intent("pi_3Slow", { status: "canceled", amount_received: 0 }));
    expect(await repair()).toBe(1);
    expect(await attempt()).toMatchObject({ state: "failed", outcome: "failed" });
    expect(notPaid).toStrictEqual([[KEY, "failed"]]);
  });

  it("asks Stripe again with the attempt's own key within a day, and grants what it paid", async () => {
    clock = new Date(T0.getTime() + 60 * MINUTE);
    let key: string | undefined;
    nock(STRIPE_API)
      .post("/v1/payment_intents")
      .reply(function () {
        key = this.req.headers["idempotency-key"] as string;
        return [200, intent("pi_3Made")];
      });
    nock(STRIPE_API).get("/v1/payment_intents/pi_3Made").reply(200, intent("pi_3Made"));
    expect(await repair()).toBe(1);
    expect(key).toBe(KEY);
    expect(await attempt()).toMatchObject({ outcome: "paid", paymentIntent: "pi_3Made" });
    expect((await purchases()).map((e) => e.amount)).toStrictEqual([500]);
  });

  it("past Stripe's idempotency window, looks for the intent among the customer's, or settles failed", async () => {
    clock = new Date(T0.getTime() + 25 * 60 * MINUTE);
    nock(STRIPE_API)
      .get("/v1/payment_intents")
      .query(true)
      .reply(200, {
        object: "list",
        url: "/v1/payment_intents",
        has_more: false,
        data: [intent("pi_3Other", { metadata: {} })],
      });
    expect(await repair()).toBe(1);
    expect(await attempt()).toMatchObject({ state: "failed", outcome: "failed" });
    expect(notPaid).toStrictEqual([[KEY, "failed"]]);
    expect(await purchases()).toStrictEqual([]);
  });
});
