import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { pino } from "pino";
import { toAccountId, type Account } from "../../src/accounts/types.js";
import { DEFAULT_PAID_PLANS } from "../../src/billing/plans.js";
import type { SubscriptionState } from "../../src/billing/subscription-store.js";
import { planPaymentFailedJobId } from "../../src/notifications/alert-job.js";
import type { PlanPaymentFailedJob } from "../../src/notifications/jobs.js";
import type { OutgoingEmail } from "../../src/notifications/mailer.js";
import {
  createPlanPaymentFailedQueue,
  createSendPlanPaymentFailed,
} from "../../src/notifications/plan-payment-failed.js";
import { jobId, notificationsKeptMs } from "../../src/queue/queues.js";
import {
  closeHarnesses,
  createApiHarness,
  eventually,
  type ApiHarness,
} from "../support/harness.js";
import {
  STRIPE_API,
  WEBHOOK_SECRET,
  signedStripeDelivery,
  testStripe,
} from "../support/stripe-test-kit.js";
import { SUB, CUSTOMER, event, invoice, subscription } from "../support/subscription-fixtures.js";

const silent = pino({ level: "silent" });
const DAY = 86_400_000;

afterEach(closeHarnesses);

describe("the payment-failed email, over the production wiring", () => {
  let h: ApiHarness;
  const emails: OutgoingEmail[] = [];

  beforeEach(async () => {
    emails.length = 0;
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    h = await createApiHarness({
      env: { STRIPE_SECRET_KEY: "sk_test_jasper", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET },
      stripe: testStripe(),
      mailer: {
        send: async (email) => {
          emails.push(email);
          return { accepted: email.to, rejected: [] };
        },
      },
    });
    const renewal = subscription({
      plan: "pro",
      interval: "month",
      status: "past_due",
      start: "2026-12-20T10:00:00Z",
      end: "2027-01-20T10:00:00Z",
    });
    nock(STRIPE_API).persist().get(`/v1/subscriptions/${SUB}`).reply(200, renewal);
    await h.store.stripeCustomers.record({
      accountId: h.orgA.id,
      customerId: CUSTOMER,
      createdAt: new Date(),
    });
    // Low-balance emails off: the emails seen are the plan's own.
    await h.store.accounts.updateSettings(h.orgA.id, {
      billingContacts: ["money@acme.test", "cfo@acme.test"],
      lowBalanceEmails: false,
    });
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const deliver = async (e: object) => {
    const res = await h.server.inject(signedStripeDelivery(e));
    expect([res.statusCode, res.json().result]).toEqual([200, "subscription_payment_failed"]);
  };
  const settled = () => eventually(async () => (await h.pendingJobs()) === 0);

  it("emails the billing contacts once per failed invoice: redelivered, and failing again on Stripe's retry", async () => {
    h.clock.set("2026-12-20T11:00:00Z");
    const failed = invoice("in_2Acme", "open", "2026-12-20T10:00:00Z", "2027-01-20T10:00:00Z");
    const first = event("invoice.payment_failed", failed);
    await deliver(first);
    await deliver(first); // Stripe's redelivery of the same event
    h.startWorkers();
    await eventually(() => emails.length >= 1);
    await settled();
    // Stripe's retry of the same invoice fails three days later: another event, no email.
    h.clock.set("2026-12-23T11:00:00Z");
    await deliver(event("invoice.payment_failed", failed));
    await settled();
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      to: ["money@acme.test", "cfo@acme.test"],
      subject: "Jasper: the payment for Acme-Corp's plan failed",
    });
    expect(emails[0]!.text).toContain("The payment renewing the Pro plan of Acme-Corp");
    expect(emails[0]!.text).toContain("Open the Plan page: https://jasper.example/billing/plan");
    const job = await h.notificationsQueue.getJob(
      jobId(planPaymentFailedJobId(h.orgA.id, "in_2Acme")),
    );
    expect(await job?.getState()).toBe("completed");
    // Another invoice's failure (next month's renewal) is another email.
    h.clock.set("2027-01-20T11:00:00Z");
    const next = invoice("in_3Acme", "open", "2027-01-20T10:00:00Z", "2027-02-20T10:00:00Z");
    await deliver(event("invoice.payment_failed", next));
    await eventually(() => emails.length >= 2);
    await settled();
    expect(emails).toHaveLength(2);
  });
});

describe("queueing the payment-failed email", () => {
  const queued: [PlanPaymentFailedJob, string][] = [];
  const now = new Date("2026-12-20T11:00:00Z");
  const queue = createPlanPaymentFailedQueue({
    enqueue: async (job, id) => void queued.push([job, id]),
    keptMs: notificationsKeptMs(),
    now: () => now,
    log: silent,
  });
  const acme = toAccountId(101);

  it("queues one job keyed by the invoice while the queue still keeps the first one", async () => {
    queued.length = 0;
    await queue(acme, "sub_1", "in_1", new Date(now.getTime() - 5 * DAY));
    expect(queued).toEqual([
      [
        { kind: "plan_payment_failed", accountId: 101, subscriptionId: "sub_1", invoiceId: "in_1" },
        planPaymentFailedJobId(101, "in_1"),
      ],
    ]);
  });

  it("queues nothing for a failure first recorded longer ago than the queue keeps its job", async () => {
    queued.length = 0;
    expect(notificationsKeptMs()).toBe(7 * DAY);
    await queue(acme, "sub_1", "in_1", new Date(now.getTime() - 7 * DAY + 1));
    expect(queued).toEqual([]);
  });
});

describe("sending the payment-failed email", () => {
  const acme = toAccountId(101);
  const state = (over: Partial<SubscriptionState>): SubscriptionState => ({
    accountId: acme,
    customerId: "cus_1",
    subscriptionId: "sub_1",
    plan: "team",
    interval: "year",
    status: "past_due",
    currentPeriodStart: new Date("2026-12-20T10:00:00Z"),
    currentPeriodEnd: new Date("2027-12-20T10:00:00Z"),
    cancelAtPeriodEnd: false,
    updatedAt: new Date("2026-12-20T10:00:00Z"),
    ...over,
  });
  const job: PlanPaymentFailedJob = {
    kind: "plan_payment_failed",
    accountId: 101,
    subscriptionId: "sub_1",
    invoiceId: "in_1",
  };

  function sender(s: SubscriptionState | null, contacts: string[], login = "acme") {
    const sent: OutgoingEmail[] = [];
    const send = createSendPlanPaymentFailed({
      accounts: {
        get: async () => ({ id: acme, login, settings: { billingContacts: contacts } }) as Account,
      },
      subscriptions: { find: async () => s },
      mailer: { send: async (m) => (sent.push(m), { accepted: m.to, rejected: [] }) },
      plans: DEFAULT_PAID_PLANS,
      publicUrl: "https://jasper.example/",
      log: silent,
    });
    return { send, sent };
  }

  it("names the plan, what Stripe does next and where to fix it, escaped in HTML", async () => {
    const { send, sent } = sender(state({}), ["money@acme.test"], "<b>acme</b>");
    expect(await send(job)).toBe("sent");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain("The payment renewing the Team plan of <b>acme</b>");
    expect(sent[0]!.text).toContain("If every try fails, <b>acme</b> goes back to Free");
    expect(sent[0]!.html).not.toContain("<b>acme</b>");
  });

  it("sends nothing once paid meanwhile, for another account's subscription, or without contacts", async () => {
    for (const [s, contacts] of [
      [state({ status: "active" }), ["money@acme.test"]],
      [state({ accountId: toAccountId(202) }), ["money@acme.test"]],
      [null, ["money@acme.test"]],
      [state({}), []],
    ] as const) {
      const { send, sent } = sender(s, [...contacts]);
      expect(await send(job)).toBe("skipped");
      expect(sent).toEqual([]);
    }
  });
});
