import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import type { AutoTopUpSettings } from "../../src/billing/auto-top-up-store.js";
import { topUpAttemptKey } from "../../src/billing/pay-top-up.js";
import { ATTEMPT_METADATA_KEY } from "../../src/billing/top-up-payment-events.js";
import { autoTopUpJobId, autoTopUpRetryJobId } from "../../src/notifications/alert-job.js";
import type { OutgoingEmail } from "../../src/notifications/mailer.js";
import { jobId } from "../../src/queue/queues.js";
import { closeHarnesses, createHarness, eventually, type Harness } from "../support/harness.js";
import {
  STRIPE_API,
  WEBHOOK_SECRET,
  signedStripeDelivery,
  testStripe,
} from "../support/stripe-test-kit.js";

/**
 * Automatic top-up over the production wiring: a charge crosses the threshold, the ledger's
 * hook queues one job, the notification worker hands it to the payer, Stripe (nock, in its
 * own shapes) creates the PaymentIntent, and only its signed success event grants.
 */
const acme = toAccountId(9001);
const CUSTOMER = "cus_TAcme9001";
const CARD = "pm_1Visa9001";
const T0 = new Date("2026-11-20T10:00:00Z");
const HOUR = 60 * 60_000;

/** A PaymentIntent as stripe-node 23 (API 2026-10-28) answers or sends it: Starter, $30.00. */
const intent = (id: string, attemptKey: string, over: Partial<Stripe.PaymentIntent> = {}) =>
  ({
    id,
    object: "payment_intent",
    amount: 3000,
    amount_received: 3000,
    currency: "usd",
    customer: CUSTOMER,
    payment_method: CARD,
    confirmation_method: "automatic",
    capture_method: "automatic_async",
    created: 1_796_205_600,
    last_payment_error: null,
    livemode: false,
    metadata: { [ATTEMPT_METADATA_KEY]: attemptKey },
    status: "succeeded",
    ...over,
  }) satisfies Partial<Stripe.PaymentIntent>;

const event = (type: string, object: object, id: string) => ({
  id,
  object: "event",
  api_version: "2026-10-28",
  created: 1_796_205_600,
  type,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: { object },
});

afterEach(closeHarnesses);

describe("automatic top-up, from the charge that crosses the threshold", () => {
  let h: Harness;
  let clock: Date;
  let emails: OutgoingEmail[];
  /** The PaymentIntent creations Stripe received: the attempt they name and their key. */
  let created: Array<{ attempt: string | null; key: string | undefined }>;

  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  async function setUp(settings: Partial<AutoTopUpSettings> = {}, balance = 12) {
    clock = T0;
    emails = [];
    created = [];
    h = await createHarness({
      env: {
        FREE_REVIEWS_PER_MONTH: "0",
        STRIPE_SECRET_KEY: "sk_test_jasper",
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
      stripe: testStripe(),
      now: () => clock,
      mailer: {
        send: async (email) => {
          emails.push(email);
          return { accepted: email.to, rejected: [] };
        },
      },
    });
    await h.store.accounts.upsert({ id: acme, login: "acme", type: "Organization" });
    await h.store.accounts.updateSettings(acme, { billingContacts: ["money@acme.test"] });
    await h.store.stripeCustomers.record({ accountId: acme, customerId: CUSTOMER, createdAt: T0 });
    await h.store.stripeCustomers.savePaymentMethod(acme, CUSTOMER, {
      id: CARD,
      brand: "visa",
      last4: "4242",
      savedAt: T0,
    });
    await h.store.autoTopUp.save(
      acme,
      {
        enabled: true,
        packageId: "starter",
        thresholdCredits: 10,
        monthlyMaxCount: 3,
        monthlyMaxCents: 9000,
        ...settings,
      },
      T0,
    );
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: balance,
      description: "credits",
      idempotencyKey: "first-purchase",
    });
  }

  let charges = 0;
  const charge = async () => {
    const r = await h.ledger.charge(acme, {
      action: "review",
      description: "a review",
      idempotencyKey: `charge-${charges++}`,
    });
    if (r.status !== "created") throw new Error(`not charged: ${r.status}`);
    return r.entry;
  };

  /** POST /v1/payment_intents answered `times` times with `answer`, recording each request. */
  const stripeAnswers = (
    answer: (attempt: string) => [number, object] | Promise<[number, object]>,
    times = 1,
  ) =>
    nock(STRIPE_API)
      .post("/v1/payment_intents")
      .times(times)
      .reply(function (_uri, body) {
        const attempt = new URLSearchParams(String(body)).get(`metadata[${ATTEMPT_METADATA_KEY}]`);
        created.push({ attempt, key: this.req.headers["idempotency-key"] as string | undefined });
        return answer(attempt ?? "");
      });

  const topUpJob = async (id: string) => h.notificationsQueue.getJob(jobId(id));
  const finished = async (id: string) => {
    await eventually(async () => {
      const job = await topUpJob(id);
      return (await job?.isCompleted()) === true || (await job?.isFailed()) === true;
    });
    return (await topUpJob(id))?.returnvalue as unknown;
  };
  const balance = async () => (await h.store.ledger.latest(acme))?.balanceAfter ?? 0;
  const deliver = async (e: unknown) => {
    const res = await h.server.inject(signedStripeDelivery(e));
    expect(res.statusCode).toBe(200);
    return (res.json() as { result: string }).result;
  };

  it("50 concurrent charges crossing the threshold create one PaymentIntent; its success grants once", async () => {
    await setUp({}, 55);
    stripeAnswers((attempt) => [200, intent("pi_3Once", attempt)]);
    h.startWorkers();
    // 55 -> 5: the 45th charge leaves 10, the threshold; every other one is above or below.
    const entries = await Promise.all(Array.from({ length: 50 }, () => charge()));
    // The sweep's redrive at the same time: the crossing's job is the same job.
    const redriven = await Promise.all([h.jasper.redrive(), h.jasper.redrive()]);
    expect(redriven.map((r) => r.topUps)).toStrictEqual([1, 1]);
    const crossing = entries.find((e) => e.balanceAfter === 10);
    expect(crossing).toBeDefined();
    const id = autoTopUpJobId(acme, crossing!.id);
    expect(await finished(id)).toBe("requested");
    expect(created).toStrictEqual([
      { attempt: topUpAttemptKey(acme, crossing!.id), key: topUpAttemptKey(acme, crossing!.id) },
    ]);
    const before = await balance();
    const success = event(
      "payment_intent.succeeded",
      intent("pi_3Once", topUpAttemptKey(acme, crossing!.id)),
      "evt_1",
    );
    expect(await deliver(success)).toBe("top_up_granted");
    expect(await deliver(success)).toBe("already_granted");
    expect(await balance()).toBe(before + 100);
    const audits = await h.store.audit.list(acme, { limit: 100 });
    expect(
      audits
        .filter((a) => a.action === "auto_top_up_attempt")
        .map((a) => a.details.outcome)
        .sort(),
    ).toStrictEqual(["paid", "requested"]);
  });

  it("charges nothing when auto top-up is switched off while its job waits", async () => {
    await setUp();
    const entry = (await charge(), await charge());
    expect(entry.balanceAfter).toBe(10);
    const id = autoTopUpJobId(acme, entry.id);
    expect(await topUpJob(id)).toBeDefined();
    await h.store.autoTopUp.save(
      acme,
      {
        enabled: false,
        packageId: "starter",
        thresholdCredits: 10,
        monthlyMaxCount: 3,
        monthlyMaxCents: 9000,
      },
      T0,
    );
    h.startWorkers();
    expect(await finished(id)).toBe("skipped:switched_off");
    expect(created).toStrictEqual([]);
    expect(await h.store.topUpAttempts.recent(acme, new Date(0))).toStrictEqual([]);
  });

  it("Stripe unreachable when it fires: the job retries the same attempt with the same key, one intent", async () => {
    await setUp();
    let calls = 0;
    stripeAnswers(
      (attempt) =>
        calls++ === 0
          ? [500, { error: { type: "api_error", message: "Stripe is overloaded" } }]
          : [200, intent("pi_3Later", attempt)],
      2,
    );
    h.startWorkers();
    await charge();
    const entry = await charge();
    expect(await finished(autoTopUpJobId(acme, entry.id))).toBe("requested");
    const key = topUpAttemptKey(acme, entry.id);
    expect(created).toStrictEqual([
      { attempt: key, key },
      { attempt: key, key },
    ]);
    const attempts = await h.store.topUpAttempts.recent(acme, new Date(0));
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ state: "in_flight", paymentIntent: "pi_3Later" });
  });

  it("grants once when the success event arrives before Stripe's answer to the creation", async () => {
    await setUp();
    let early: string | undefined;
    stripeAnswers(async (attempt) => {
      // Stripe delivers the event while the creating call is still open.
      early = await deliver(
        event("payment_intent.succeeded", intent("pi_3Early", attempt), "evt_early"),
      );
      return [200, intent("pi_3Early", attempt)];
    });
    h.startWorkers();
    await charge();
    const entry = await charge();
    expect(await finished(autoTopUpJobId(acme, entry.id))).toBe("requested");
    expect(early).toBe("top_up_granted");
    expect(await h.store.topUpAttempts.find(acme, topUpAttemptKey(acme, entry.id))).toMatchObject({
      state: "succeeded",
      outcome: "paid",
      paymentIntent: "pi_3Early",
    });
    expect(await balance()).toBe(110);
  });

  it("keeps to one attempt an hour by the clock: a crossing held back runs when the hour is over", async () => {
    await setUp();
    stripeAnswers((attempt) => [200, intent("pi_3First", attempt)]);
    h.startWorkers();
    await charge();
    const first = await charge();
    expect(await finished(autoTopUpJobId(acme, first.id))).toBe("requested");
    await deliver(
      event("payment_intent.succeeded", intent("pi_3First", topUpAttemptKey(acme, first.id)), "e1"),
    );
    expect(await balance()).toBe(110);

    // Half an hour later the balance is spent down to the threshold again.
    clock = new Date(T0.getTime() + HOUR / 2);
    await h.ledger.adjust(acme, {
      amount: -99,
      bucket: "purchased",
      description: "spent down",
      idempotencyKey: "spent-down",
    });
    const second = await charge();
    expect(second.balanceAfter).toBe(10);
    expect(await finished(autoTopUpJobId(acme, second.id))).toBe("skipped:too_soon");
    const retryAt = new Date(T0.getTime() + HOUR);
    const retry = await topUpJob(autoTopUpRetryJobId(acme, second.id, retryAt));
    expect(await retry?.isDelayed()).toBe(true);
    expect(retry?.opts.delay).toBe(HOUR / 2);
    expect(created).toHaveLength(1);

    // The hour is over: the held-back crossing is checked again and paid.
    clock = retryAt;
    stripeAnswers((attempt) => [200, intent("pi_3Second", attempt)]);
    await retry!.promote();
    expect(await finished(autoTopUpRetryJobId(acme, second.id, retryAt))).toBe("requested");
    expect(created.map((c) => c.key)).toStrictEqual([
      topUpAttemptKey(acme, first.id),
      topUpAttemptKey(acme, second.id),
    ]);
  });

  it("stops at the month's limit", async () => {
    await setUp({ monthlyMaxCount: 1, monthlyMaxCents: 3000 });
    stripeAnswers((attempt) => [200, intent("pi_3Month", attempt)]);
    h.startWorkers();
    await charge();
    const first = await charge();
    expect(await finished(autoTopUpJobId(acme, first.id))).toBe("requested");
    await deliver(
      event("payment_intent.succeeded", intent("pi_3Month", topUpAttemptKey(acme, first.id)), "e"),
    );
    clock = new Date(T0.getTime() + 2 * HOUR);
    await h.ledger.adjust(acme, {
      amount: -99,
      bucket: "purchased",
      description: "spent down",
      idempotencyKey: "spent-down",
    });
    const second = await charge();
    expect(await finished(autoTopUpJobId(acme, second.id))).toBe("skipped:monthly_count_reached");
    expect(created).toHaveLength(1);
  });
});
