import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import type { AutoTopUpSettings } from "../../src/billing/auto-top-up-store.js";
import { topUpAttemptKey } from "../../src/billing/pay-top-up.js";
import { ATTEMPT_METADATA_KEY } from "../../src/billing/top-up-payment-events.js";
import { saveCard, topUpIntent } from "../support/top-up-fixtures.js";
import {
  autoTopUpJobId,
  autoTopUpRetryJobId,
  topUpNoticeJobId,
} from "../../src/notifications/alert-job.js";
import type { TopUpNotice } from "../../src/notifications/jobs.js";
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
const T0 = new Date("2026-11-20T10:00:00Z");
const HOUR = 60 * 60_000;

/** A PaymentIntent of a Starter top-up ($30.00) for the attempt, paid unless told. */
const intent = (id: string, attemptKey: string, over: Partial<Stripe.PaymentIntent> = {}) =>
  topUpIntent(id, { customer: CUSTOMER, amount: 3000, attemptKey }, over);

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
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(pending).toStrictEqual([]);
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
    // Low-balance emails off: the emails a test sees are the top-ups' own.
    await h.store.accounts.updateSettings(acme, {
      billingContacts: ["money@acme.test"],
      lowBalanceEmails: false,
    });
    await saveCard(h.store, acme, CUSTOMER, T0);
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

  /** Spends the balance back down to 11 at `at`, then one charge crosses the threshold. */
  const crossAgainAt = async (at: Date) => {
    clock = at;
    const left = await balance();
    if (left > 11) {
      await h.ledger.adjust(acme, {
        amount: 11 - left,
        bucket: "purchased",
        description: "spent down",
        idempotencyKey: `spent-down-${at.getTime()}`,
      });
    } else {
      await h.ledger.grant(acme, {
        type: "purchase",
        amount: 11 - left,
        description: "bought by hand",
        idempotencyKey: `by-hand-${at.getTime()}`,
      });
    }
    return charge();
  };

  /** Workers on, a crossing, its PaymentIntent created and paid: the crossing's entry. */
  const firstTopUpPaid = async (pi: string) => {
    stripeAnswers((attempt) => [200, intent(pi, attempt)]);
    h.startWorkers();
    await charge();
    const first = await charge();
    expect(await finished(autoTopUpJobId(acme, first.id))).toBe("requested");
    const key = topUpAttemptKey(acme, first.id);
    expect(await deliver(event("payment_intent.succeeded", intent(pi, key), `evt_${pi}`))).toBe(
      "top_up_granted",
    );
    return first;
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
    const first = await firstTopUpPaid("pi_3First");
    expect(await balance()).toBe(110);

    // Half an hour later the balance is spent down to the threshold again.
    const second = await crossAgainAt(new Date(T0.getTime() + HOUR / 2));
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
    await firstTopUpPaid("pi_3Month");
    const second = await crossAgainAt(new Date(T0.getTime() + 2 * HOUR));
    expect(await finished(autoTopUpJobId(acme, second.id))).toBe("skipped:monthly_count_reached");
    expect(created).toHaveLength(1);
  });

  /** Stripe's 402 for a decline on confirmation, with the intent it made. */
  const cardError = (code: string, piId: string, attempt: string): [number, object] => [
    402,
    {
      error: {
        type: "card_error",
        code,
        ...(code === "card_declined" ? { decline_code: "insufficient_funds" } : {}),
        message: "Your card was declined.",
        payment_intent: intent(piId, attempt, {
          status: "requires_payment_method",
          amount_received: 0,
          last_payment_error: { type: "card_error", code } as Stripe.PaymentIntent.LastPaymentError,
        }),
      },
    },
  ];
  const failedEvent = (piId: string, attempt: string, code: string, id: string) =>
    event(
      "payment_intent.payment_failed",
      intent(piId, attempt, {
        status: "requires_payment_method",
        amount_received: 0,
        last_payment_error: { type: "card_error", code } as Stripe.PaymentIntent.LastPaymentError,
      }),
      id,
    );
  const noticeJob = (attempt: string, notice: string) =>
    h.notificationsQueue.getJob(jobId(topUpNoticeJobId(acme, attempt, notice as TopUpNotice)));
  const sentEmails = async (n: number) => {
    await eventually(() => emails.length >= n);
    // Nothing more on its way: every job finished.
    await eventually(async () => (await h.pendingJobs()) === 0);
    return emails.map((e) => e.subject);
  };

  it("a decline emails the billing contacts once; three in a row switch it off, said by email and audited", async () => {
    await setUp();
    stripeAnswers((attempt) => cardError("card_declined", `pi_3No${created.length}`, attempt), 3);
    h.startWorkers();
    await charge();
    const first = await charge();
    const key1 = topUpAttemptKey(acme, first.id);
    expect(await finished(autoTopUpJobId(acme, first.id))).toBe("not_paid:declined");
    // Stripe's own event for the same decline: the attempt and its email are the same.
    expect(await deliver(failedEvent("pi_3No1", key1, "card_declined", "evt_f1"))).toBe(
      "top_up_declined",
    );
    expect(await sentEmails(1)).toStrictEqual([
      "Jasper: the automatic top-up for acme was declined",
    ]);
    expect(emails[0]!.to).toStrictEqual(["money@acme.test"]);
    expect(emails[0]!.text).toContain("100 credits (30.00 USD)");
    expect(await (await noticeJob(key1, "declined"))?.isCompleted()).toBe(true);

    for (const hours of [1, 2]) {
      const next = await crossAgainAt(new Date(T0.getTime() + hours * HOUR));
      expect(await finished(autoTopUpJobId(acme, next.id))).toBe("not_paid:declined");
    }
    // Sent by concurrent workers: in any order.
    expect((await sentEmails(4)).sort()).toStrictEqual([
      "Jasper: auto top-up for acme is off",
      "Jasper: the automatic top-up for acme was declined",
      "Jasper: the automatic top-up for acme was declined",
      "Jasper: the automatic top-up for acme was declined",
    ]);
    expect(await h.store.autoTopUp.find(acme)).toMatchObject({
      enabled: false,
      switchedOffBecause: "declined",
    });
    const audits = await h.store.audit.list(acme, { limit: 100 });
    expect(audits.filter((a) => a.action === "auto_top_up_changed")).toHaveLength(1);
    expect(
      audits.filter((a) => a.action === "auto_top_up_attempt").map((a) => a.details.outcome),
    ).toStrictEqual(["declined", "declined", "declined"]);
    // Off: the next crossing queues nothing, and the sweep finds nothing to queue either.
    const after = await crossAgainAt(new Date(T0.getTime() + 3 * HOUR));
    expect(await topUpJob(autoTopUpJobId(acme, after.id))).toBeUndefined();
    expect((await h.jasper.redrive()).topUps).toBe(0);
    expect(created).toHaveLength(3);
  });

  it("authentication_required emails a Checkout link that pays the same package", async () => {
    await setUp();
    stripeAnswers((attempt) => cardError("authentication_required", "pi_3Auth", attempt));
    let checkoutKey: string | undefined;
    nock(STRIPE_API)
      .post("/v1/checkout/sessions")
      .reply(function () {
        checkoutKey = this.req.headers["idempotency-key"] as string | undefined;
        return [
          200,
          {
            id: "cs_test_confirm",
            object: "checkout.session",
            url: "https://checkout.stripe.com/c/pay/cs_test_confirm",
          },
        ];
      });
    h.startWorkers();
    await charge();
    const entry = await charge();
    expect(await finished(autoTopUpJobId(acme, entry.id))).toBe("not_paid:authentication_required");
    expect(await sentEmails(1)).toStrictEqual(["Jasper: confirm the automatic top-up for acme"]);
    expect(emails[0]!.text).toContain(
      "Complete the payment: https://checkout.stripe.com/c/pay/cs_test_confirm",
    );
    expect(checkoutKey).toContain(topUpAttemptKey(acme, entry.id));
    expect((await h.store.checkoutSessions.find("cs_test_confirm"))?.packageId).toBe("starter");
    // Auto top-up stays on after one.
    expect((await h.store.autoTopUp.find(acme))?.enabled).toBe(true);
  });

  it("the sweep queues a crossing whose job was lost, and settles an attempt stuck in flight from Stripe", async () => {
    await setUp();
    await charge();
    const entry = await charge();
    const key = topUpAttemptKey(acme, entry.id);
    // The job lost (a crash right after the charge, or Redis losing it).
    await h.notificationsQueue.obliterate({ force: true });
    expect((await h.jasper.redrive()).topUps).toBe(1);
    // Created at Stripe, then no answer and no event: the attempt stays in flight.
    stripeAnswers(() => [500, { error: { type: "api_error", message: "overloaded" } }]);
    nock(STRIPE_API)
      .post("/v1/payment_intents")
      .reply(() => [200, intent("pi_3Stuck", key, { status: "processing" })]);
    h.startWorkers();
    expect(await finished(autoTopUpJobId(acme, entry.id))).toBe("requested");
    expect(await h.store.topUpAttempts.find(acme, key)).toMatchObject({
      state: "in_flight",
      paymentIntent: "pi_3Stuck",
    });
    // Not stale yet: left alone.
    expect((await h.jasper.redrive()).stuckTopUps).toBe(0);
    // 20 minutes on, Stripe says it succeeded: granted once, settled paid.
    clock = new Date(T0.getTime() + 20 * 60_000);
    nock(STRIPE_API).get("/v1/payment_intents/pi_3Stuck").reply(200, intent("pi_3Stuck", key));
    expect((await h.jasper.redrive()).stuckTopUps).toBe(1);
    expect(await h.store.topUpAttempts.find(acme, key)).toMatchObject({ outcome: "paid" });
    expect(await balance()).toBe(110);
    expect((await h.jasper.redrive()).stuckTopUps).toBe(0);
  });
});
