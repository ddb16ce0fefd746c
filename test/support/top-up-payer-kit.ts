/**
 * The top-up job (createTopUpPayer) on an in-memory store, with Stripe's API mocked by nock:
 * account 9001 has auto top-up on for Growth and a saved Visa, and every creation request
 * Stripe received and every not-paid follow-up the job made are recorded for the test to read.
 */
import { afterEach, beforeEach, expect } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { createTopUpPayer, type PayTopUpDeps } from "../../src/billing/pay-top-up.js";
import type { AttemptOutcome } from "../../src/billing/top-up-attempt-store.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { STRIPE_API, testStripe } from "./stripe-test-kit.js";
import { GROWTH_SETTINGS, saveCard, topUpIntent } from "./top-up-fixtures.js";

export const ACME = toAccountId(9001);
export const CUSTOMER = "cus_TAcme9001";
export const CARD = "pm_1Visa9001";
export const T0 = new Date("2026-11-20T10:00:00Z");

/** One POST /v1/payment_intents as Stripe received it. */
export interface CreationRequest {
  body: Record<string, string>;
  idempotencyKey: string | undefined;
}

/** A creation of the Growth package's intent, answered as Stripe does. */
export const growthIntent = (id: string, over: Partial<Stripe.PaymentIntent> = {}) =>
  topUpIntent(id, { customer: CUSTOMER, amount: 12250 }, over);

/** Stripe's 402 for a card declined on confirmation, with the intent it made (or none). */
export const cardDeclined = (code: string, intentId: string | null) => ({
  error: {
    type: "card_error",
    code,
    message: "Your card was declined.",
    ...(intentId === null
      ? {}
      : {
          payment_intent: growthIntent(intentId, {
            status: "requires_payment_method",
            amount_received: 0,
          }),
        }),
  },
});

export interface PayerWorld {
  store: Store;
  /** The follow-ups of attempts not paid: attempt key and outcome, in order. */
  notPaid: Array<[string, AttemptOutcome]>;
  created: CreationRequest[];
  /** The ledger balance the job reads; 5 (under Growth's threshold of 10) by default. */
  balance: number;
  clock: Date;
  /** The job, with the world's clock and follow-up unless `over` replaces them. */
  payer(over?: Partial<PayTopUpDeps>): ReturnType<typeof createTopUpPayer>;
  /**
   * POST /v1/payment_intents answered once with `status` and `body`, after `meanwhile` (what
   * happens between Stripe receiving the request and the job reading its answer) has run.
   */
  stripeAnswers(status: number, body: object, meanwhile?: () => Promise<void>): void;
}

/** `card: false`: the account never set up a card (no Stripe customer either). */
export async function payerWorld(options: { card?: boolean } = {}): Promise<PayerWorld> {
  const store = createMemoryStore();
  if (options.card !== false) await saveCard(store, ACME, CUSTOMER, T0);
  await store.autoTopUp.save(ACME, GROWTH_SETTINGS, T0);
  const world: PayerWorld = {
    store,
    notPaid: [],
    created: [],
    balance: 5,
    clock: T0,
    payer: (over = {}) =>
      createTopUpPayer({
        stripe: testStripe(),
        settings: store.autoTopUp,
        customers: store.stripeCustomers,
        attempts: store.topUpAttempts,
        balance: async () => world.balance,
        packages: DEFAULT_PACKAGES,
        onNotPaid: async (attempt, outcome) => {
          world.notPaid.push([attempt.attemptKey, outcome]);
        },
        now: () => world.clock,
        ...over,
      }),
    stripeAnswers(status, body, meanwhile = async () => {}) {
      nock(STRIPE_API)
        .post("/v1/payment_intents")
        .reply(function (_uri, requestBody, callback) {
          world.created.push({
            body: Object.fromEntries(new URLSearchParams(String(requestBody))),
            idempotencyKey: this.req.headers["idempotency-key"] as string | undefined,
          });
          meanwhile().then(
            () => callback(null, [status, body]),
            (err: Error) => callback(err, [500, {}]),
          );
        });
    },
  };
  return world;
}

/** Stripe mocked for each test of the file: no real network, and every mock answered. */
export function mockStripeEachTest(): void {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });
}
