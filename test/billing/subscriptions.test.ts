import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";
import {
  STRIPE_API,
  WEBHOOK_SECRET,
  signedStripeDelivery,
  testStripe,
} from "../support/stripe-test-kit.js";
import {
  CUSTOMER,
  SUB,
  at,
  event,
  invoice,
  subscription,
  type SubscriptionShape,
} from "../support/subscription-fixtures.js";

/**
 * Subscribing to a plan through the API and Stripe's signed events, over the production
 * wiring: Stripe's API mocked with nock in stripe-node 23's shapes (API 2026-10-28: the period
 * on the subscription's items, the invoice's subscription under parent.subscription_details).
 * Stripe's subscription is served from `stripeSays`, what Stripe's API answers now; the
 * events carry whatever they carried when sent, and every one is delivered twice, in orders
 * other than Stripe's.
 */
const ADMIN_A = "admin-acme-corp";
const BASE = "/api/v1/organizations/Acme-Corp/billing";

afterEach(closeHarnesses);

/** The subscription-mode Checkout Session in checkout.session.completed. */
const completedSession = (over: Partial<Stripe.Checkout.Session> = {}) =>
  ({
    id: "cs_test_sub1",
    object: "checkout.session",
    mode: "subscription",
    status: "complete",
    payment_status: "paid",
    amount_total: 4900,
    currency: "usd",
    customer: CUSTOMER,
    subscription: SUB,
    client_reference_id: "101",
    metadata: { jasperAccountId: "101", plan: "pro" },
    url: null,
    ...over,
  }) satisfies Partial<Stripe.Checkout.Session>;

describe("subscribing to a plan", () => {
  let h: ApiHarness;
  /** What Stripe's API answers for the subscription now. */
  let stripeSays: ReturnType<typeof subscription>;
  /** Runs while Stripe is answering a subscription read (something landing meanwhile). */
  let whileStripeAnswers: (() => Promise<void>) | null = null;

  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    h = await createApiHarness({
      env: { STRIPE_SECRET_KEY: "sk_test_jasper", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET },
      stripe: testStripe(),
    });
    stripeSays = subscription({
      plan: "pro",
      interval: "month",
      status: "active",
      start: "2026-11-20T10:00:00Z",
      end: "2026-12-20T10:00:00Z",
    });
    whileStripeAnswers = null;
    nock(STRIPE_API)
      .persist()
      .get(`/v1/subscriptions/${SUB}`)
      .reply(async () => {
        await whileStripeAnswers?.();
        return [200, stripeSays];
      });
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  /** Delivers the event twice; both answers are 200, and the results are returned. */
  async function deliverTwice(e: object): Promise<string[]> {
    const results: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await h.server.inject(signedStripeDelivery(e));
      expect(res.statusCode).toBe(200);
      results.push(res.json().result as string);
    }
    return results;
  }
  const recordCustomer = (accountId = h.orgA.id, customerId = CUSTOMER) =>
    h.store.stripeCustomers.record({ accountId, customerId, createdAt: new Date() });
  const plan = async (accountId = h.orgA.id) => (await h.ledger.summary(accountId)).buckets.plan;
  const planEntries = async (accountId = h.orgA.id) =>
    (await h.store.ledger.list(accountId, { types: ["plan", "expiration"], limit: 100 }))
      .reverse()
      .filter((e) => e.deltas.plan !== 0)
      .map((e) => [e.type, e.amount]);
  const status = async () =>
    (
      await h.server.inject({ method: "GET", url: `${BASE}/status`, headers: h.auth(h.keyA) })
    ).json();
  const audits = async (action: string) =>
    (await h.store.audit.list(h.orgA.id, { limit: 100 })).filter((a) => a.action === action);

  describe("POST .../billing/subscription", () => {
    const subscribe = (payload: object, token = ADMIN_A) =>
      h.server.inject({
        method: "POST",
        url: `${BASE}/subscription`,
        headers: h.auth(token),
        payload,
      });

    it("answers a Checkout URL in subscription mode for the account's one customer, audited", async () => {
      nock(STRIPE_API, { reqheaders: { "idempotency-key": "jasper-customer:101" } })
        .post("/v1/customers")
        .reply(200, { id: CUSTOMER, object: "customer", metadata: { jasperAccountId: "101" } });
      nock(STRIPE_API)
        .get("/v1/products/jasper_plan_team")
        .reply(404, {
          error: {
            type: "invalid_request_error",
            code: "resource_missing",
            message: "No such product",
          },
        });
      let product: Record<string, string> = {};
      nock(STRIPE_API)
        .post("/v1/products", (body: Record<string, string>) => {
          product = body;
          return true;
        })
        .reply(200, { id: "jasper_plan_team", object: "product", name: "Jasper Team" });
      let sent: Record<string, string> = {};
      nock(STRIPE_API)
        .post("/v1/checkout/sessions", (body: Record<string, string>) => {
          sent = body;
          return true;
        })
        .reply(200, {
          ...completedSession({ status: "open", subscription: null }),
          url: "https://checkout.stripe.com/c/pay/cs_test_sub1",
        });
      const res = await subscribe({ plan: "team", interval: "year" });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        url: "https://checkout.stripe.com/c/pay/cs_test_sub1",
        sessionId: "cs_test_sub1",
      });
      expect(product).toMatchObject({ id: "jasper_plan_team" });
      expect(sent).toMatchObject({
        mode: "subscription",
        customer: CUSTOMER,
        client_reference_id: "101",
        "line_items[0][price_data][product]": "jasper_plan_team",
        "line_items[0][price_data][unit_amount]": "149000",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][recurring][interval]": "year",
      });
      expect(nock.pendingMocks()).toEqual([`GET ${STRIPE_API}:443/v1/subscriptions/${SUB}`]);
      const [entry] = await audits("subscription_checkout");
      expect(entry).toMatchObject({
        actor: { kind: "github_user", login: "admin-of-acme-corp" },
        details: { plan: "team", interval: "year", checkoutSession: "cs_test_sub1" },
      });
      // Nothing changes until Stripe says the first invoice is paid.
      expect(await status()).toMatchObject({ plan: { id: "free" }, status: null });
    });

    it("refuses a key, a plan that does not exist, Free, and an account already subscribed; nothing changes", async () => {
      expect((await subscribe({ plan: "pro", interval: "month" }, h.keyA)).statusCode).toBe(403);
      for (const payload of [
        { plan: "gold", interval: "month" },
        { plan: "free", interval: "month" },
      ]) {
        const res = await subscribe(payload);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe("unknown_plan");
      }
      expect((await subscribe({ plan: "pro", interval: "weekly" })).statusCode).toBe(400);
      expect((await subscribe({ plan: "pro", interval: "month", extra: 1 })).statusCode).toBe(400);
      await h.store.subscriptions.put({
        accountId: h.orgA.id,
        customerId: CUSTOMER,
        subscriptionId: SUB,
        plan: "pro",
        interval: "month",
        status: "past_due",
        currentPeriodStart: new Date("2026-11-01T00:00:00Z"),
        currentPeriodEnd: new Date("2026-12-01T00:00:00Z"),
        cancelAtPeriodEnd: false,
        updatedAt: new Date("2026-11-01T00:00:00Z"),
      });
      const held = await subscribe({ plan: "team", interval: "month" });
      expect(held.statusCode).toBe(409);
      expect(held.json().error.code).toBe("already_subscribed");
      expect(await audits("subscription_checkout")).toEqual([]);
    });

    it("answers 503 when Stripe fails, with nothing recorded", async () => {
      await recordCustomer();
      nock(STRIPE_API)
        .get("/v1/products/jasper_plan_pro")
        .reply(500, { error: { type: "api_error", message: "overloaded" } });
      const res = await subscribe({ plan: "pro", interval: "month" });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe("subscription_unavailable");
      expect(await audits("subscription_checkout")).toEqual([]);
    });
  });

  describe("changing the subscription", () => {
    const call = (method: "POST" | "PUT", path: string, payload?: object, token = ADMIN_A) =>
      h.server.inject({
        method,
        url: `${BASE}/${path}`,
        headers: h.auth(token),
        ...(payload ? { payload } : {}),
      });
    /** POST /v1/subscriptions/:id answered with `reply`; the form it was sent, once asked. */
    function expectUpdate(reply: object, status = 200) {
      const sent: Record<string, string>[] = [];
      nock(STRIPE_API)
        .post(`/v1/subscriptions/${SUB}`, (body: Record<string, string>) => {
          sent.push(body);
          return true;
        })
        .reply(status, reply);
      return sent;
    }

    /** Acme on Pro, monthly, its first month paid; the clock in that month. */
    async function subscribed() {
      await recordCustomer();
      h.clock.set("2026-12-01T09:00:00Z");
      await deliverTwice(
        event(
          "invoice.paid",
          invoice("in_1Acme", "paid", "2026-11-20T10:00:00Z", "2026-12-20T10:00:00Z"),
        ),
      );
      expect(await plan()).toBe(200);
    }

    it("cancels at the period's end and reactivates before it, each once, audited with who asked", async () => {
      await subscribed();
      const cancelled = expectUpdate(subscription({ ...shape(), cancelAtPeriodEnd: true }));
      const res = await call("POST", "subscription/cancel");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        subscription: SUB,
        plan: "pro",
        interval: "month",
        status: "active",
        currentPeriodEnd: "2026-12-20T10:00:00.000Z",
        cancelAtPeriodEnd: true,
        scheduledChange: null,
      });
      expect(cancelled).toEqual([{ cancel_at_period_end: "true" }]);
      expect(await status()).toMatchObject({ plan: { id: "pro" }, cancelAtPeriodEnd: true });
      const again = await call("POST", "subscription/cancel");
      expect([again.statusCode, again.json().error.code]).toEqual([409, "already_cancelled"]);

      const reactivated = expectUpdate(subscription(shape()));
      expect((await call("POST", "subscription/reactivate")).statusCode).toBe(200);
      expect(reactivated).toEqual([{ cancel_at_period_end: "false" }]);
      const twice = await call("POST", "subscription/reactivate");
      expect([twice.statusCode, twice.json().error.code]).toEqual([409, "not_cancelled"]);
      // No new checkout, and the month's credits stay as they were.
      expect(await plan()).toBe(200);
      const asked = (await audits("subscription_changed")).filter(
        (a) => a.actor.kind === "github_user",
      );
      expect(asked.map((a) => a.details.change)).toEqual(
        expect.arrayContaining(["cancel", "reactivate"]),
      );
      expect(asked).toHaveLength(2);
    });

    it("upgrades at once, prorated, granting the month's difference; refuses the same plan", async () => {
      await subscribed();
      nock(STRIPE_API)
        .get("/v1/products/jasper_plan_team")
        .reply(200, { id: "jasper_plan_team", object: "product", name: "Jasper Team" });
      const sent = expectUpdate(subscription({ ...shape(), plan: "team" }));
      const res = await call("PUT", "subscription", { plan: "team", interval: "month" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ plan: "team", interval: "month" });
      expect(sent[0]).toMatchObject({
        "items[0][id]": `si_${SUB}`,
        "items[0][price_data][product]": "jasper_plan_team",
        "items[0][price_data][unit_amount]": "14900",
        "items[0][price_data][recurring][interval]": "month",
        proration_behavior: "always_invoice",
        payment_behavior: "pending_if_incomplete",
      });
      expect(await plan()).toBe(750);
      expect(await status()).toMatchObject({ plan: { id: "team" } });
      const same = await call("PUT", "subscription", { plan: "team", interval: "month" });
      expect([same.statusCode, same.json().error.code]).toEqual([409, "same_plan"]);
      const unknown = await call("PUT", "subscription", { plan: "gold", interval: "month" });
      expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, "unknown_plan"]);
      expect(
        (await call("PUT", "subscription", { plan: "team", interval: "year" }, h.keyA)).statusCode,
      ).toBe(403);
    });

    it("schedules a downgrade for the period's end: this month keeps Team, the next is Pro", async () => {
      await subscribed();
      h.clock.set("2026-12-01T09:00:00Z");
      stripeSays = subscription({ ...shape(), plan: "team" });
      await deliverTwice(event("customer.subscription.updated", stripeSays));
      expect(await plan()).toBe(750);
      nock(STRIPE_API)
        .get("/v1/products/jasper_plan_pro")
        .reply(200, { id: "jasper_plan_pro", object: "product", name: "Jasper Pro" });
      const phase = {
        start_date: at("2026-11-20T10:00:00Z"),
        end_date: at("2026-12-20T10:00:00Z"),
        currency: "usd",
        proration_behavior: "create_prorations",
      } as Stripe.SubscriptionSchedule.Phase;
      const schedule = {
        id: "sub_sched_1Acme",
        object: "subscription_schedule",
        end_behavior: "release",
        subscription: SUB,
        phases: [phase],
      } satisfies Partial<Stripe.SubscriptionSchedule>;
      const created: Record<string, string>[] = [];
      nock(STRIPE_API)
        .post("/v1/subscription_schedules", (body: Record<string, string>) => {
          created.push(body);
          return true;
        })
        .reply(200, schedule);
      const phased: Record<string, string>[] = [];
      nock(STRIPE_API)
        .post(`/v1/subscription_schedules/${schedule.id}`, (body: Record<string, string>) => {
          phased.push(body);
          return true;
        })
        .reply(200, schedule);
      const res = await call("PUT", "subscription", { plan: "pro", interval: "month" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        plan: "team",
        scheduledChange: { plan: "pro", interval: "month", at: "2026-12-20T10:00:00.000Z" },
      });
      expect(created).toEqual([{ from_subscription: SUB }]);
      expect(phased[0]).toMatchObject({
        end_behavior: "release",
        "phases[0][items][0][price]": "price_team_month",
        "phases[0][start_date]": String(at("2026-11-20T10:00:00Z")),
        "phases[0][end_date]": String(at("2026-12-20T10:00:00Z")),
        "phases[1][items][0][price_data][product]": "jasper_plan_pro",
        "phases[1][items][0][price_data][unit_amount]": "4900",
        "phases[1][duration][interval]": "month",
        "phases[1][proration_behavior]": "none",
      });
      // Nothing changes now: the month keeps Team's credits and plan; billing status says
      // what is coming (issue 20), and still does once Stripe's event of the schedule is in.
      const coming = { plan: "pro", interval: "month", at: "2026-12-20T10:00:00.000Z" };
      expect(await plan()).toBe(750);
      expect(await status()).toMatchObject({ plan: { id: "team" }, scheduledChange: coming });
      stripeSays = { ...stripeSays, schedule: schedule.id };
      await deliverTwice(event("customer.subscription.updated", stripeSays));
      expect(await status()).toMatchObject({ plan: { id: "team" }, scheduledChange: coming });
      // Cancelling meanwhile drops the scheduled downgrade: nothing follows the period.
      const released: string[] = [];
      nock(STRIPE_API)
        .post(`/v1/subscription_schedules/${schedule.id}/release`, () => {
          released.push(schedule.id);
          return true;
        })
        .reply(200, { ...schedule, status: "released", subscription: null });
      expectUpdate(subscription({ ...shape(), plan: "team", cancelAtPeriodEnd: true }));
      expect((await call("POST", "subscription/cancel")).statusCode).toBe(200);
      expect(released).toEqual([schedule.id]);
      expect(await status()).toMatchObject({ scheduledChange: null });
      stripeSays = { ...stripeSays, schedule: null };
      expectUpdate(subscription({ ...shape(), plan: "team" }));
      expect((await call("POST", "subscription/reactivate")).statusCode).toBe(200);
      // At the period's end Stripe switches the plan, and the renewal's invoice grants Pro.
      h.clock.set("2026-12-20T11:00:00Z");
      stripeSays = subscription({
        ...shape(),
        start: "2026-12-20T10:00:00Z",
        end: "2027-01-20T10:00:00Z",
      });
      await deliverTwice(event("customer.subscription.updated", stripeSays));
      expect(await plan()).toBe(0);
      await deliverTwice(
        event(
          "invoice.paid",
          invoice("in_2Acme", "paid", "2026-12-20T10:00:00Z", "2027-01-20T10:00:00Z"),
        ),
      );
      expect(await plan()).toBe(200);
      expect(await status()).toMatchObject({ plan: { id: "pro" } });
    });

    it("leaves the plan as it was when the prorated payment fails or Stripe fails", async () => {
      await subscribed();
      nock(STRIPE_API)
        .get("/v1/products/jasper_plan_team")
        .times(2)
        .reply(200, { id: "jasper_plan_team", object: "product", name: "Jasper Team" });
      expectUpdate({
        ...subscription(shape()),
        pending_update: {
          billing_cycle_anchor: null,
          expires_at: at("2026-12-02T09:00:00Z"),
          subscription_items: null,
          trial_end: null,
          trial_from_plan: null,
        },
      });
      const declined = await call("PUT", "subscription", { plan: "team", interval: "month" });
      expect([declined.statusCode, declined.json().error.code]).toEqual([402, "payment_failed"]);
      expectUpdate({ error: { type: "api_error", message: "overloaded" } }, 500);
      const down = await call("PUT", "subscription", { plan: "team", interval: "month" });
      expect([down.statusCode, down.json().error.code]).toEqual([503, "unavailable"]);
      expect(await plan()).toBe(200);
      expect(await status()).toMatchObject({ plan: { id: "pro" } });
      expect(
        (await audits("subscription_changed")).filter((a) => a.actor.kind === "github_user"),
      ).toEqual([]);
    });

    it("refuses changes without a subscription", async () => {
      for (const [method, path] of [
        ["POST", "subscription/cancel"],
        ["POST", "subscription/reactivate"],
        ["PUT", "subscription"],
      ] as const) {
        const res = await call(
          method,
          path,
          method === "PUT" ? { plan: "team", interval: "month" } : undefined,
        );
        expect([res.statusCode, res.json().error.code]).toEqual([404, "no_subscription"]);
      }
    });

    it("opens the billing portal for the account's customer, returning to the dashboard", async () => {
      const none = await call("POST", "portal");
      expect([none.statusCode, none.json().error.code]).toEqual([409, "no_customer"]);
      await recordCustomer();
      let sent: Record<string, string> = {};
      nock(STRIPE_API)
        .post("/v1/billing_portal/sessions", (body: Record<string, string>) => {
          sent = body;
          return true;
        })
        .reply(200, {
          id: "bps_1Acme",
          object: "billing_portal.session",
          customer: CUSTOMER,
          url: "https://billing.stripe.com/p/session/test_1Acme",
          return_url: "https://jasper.example/billing/Acme-Corp",
        } satisfies Partial<Stripe.BillingPortal.Session>);
      const res = await call("POST", "portal");
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ url: "https://billing.stripe.com/p/session/test_1Acme" });
      expect(sent).toEqual({
        customer: CUSTOMER,
        return_url: "https://jasper.example/billing/Acme-Corp",
      });
      expect((await call("POST", "portal", undefined, h.keyA)).statusCode).toBe(403);
    });
  });

  describe("Stripe's events", () => {
    beforeEach(() => h.clock.set("2026-11-20T10:00:30Z"));

    it("grants the first month once when the invoice is paid, whichever event comes first", async () => {
      await recordCustomer();
      const paid = invoice("in_1Acme", "paid", "2026-11-20T10:00:00Z", "2026-12-20T10:00:00Z");
      // Stripe's order is checkout, created (incomplete), invoice.paid; these come backwards.
      expect(await deliverTwice(event("invoice.paid", paid))).toEqual([
        "plan_month_granted",
        "subscription_synced",
      ]);
      const created = { ...stripeSays, status: "incomplete" as const };
      expect(await deliverTwice(event("customer.subscription.created", created))).toEqual([
        "subscription_synced",
        "subscription_synced",
      ]);
      expect(await deliverTwice(event("checkout.session.completed", completedSession()))).toEqual([
        "subscription_synced",
        "subscription_synced",
      ]);
      expect(await planEntries()).toEqual([["plan", 200]]);
      // The event said incomplete; Stripe says active, and that is what is recorded.
      expect(await status()).toMatchObject({
        plan: { id: "pro", creditsPerMonth: 200 },
        interval: "month",
        status: "active",
        currentPeriod: { start: "2026-11-20T10:00:00.000Z", end: "2026-12-20T10:00:00.000Z" },
        paymentFailed: false,
      });
      expect(await audits("subscription_changed")).toHaveLength(1);
    });

    it("grants the month once when its events arrive at the same time", async () => {
      await recordCustomer();
      const paid = invoice("in_1Acme", "paid", "2026-11-20T10:00:00Z", "2026-12-20T10:00:00Z");
      const deliveries = [
        event("invoice.paid", paid),
        event("invoice.paid", paid),
        event("customer.subscription.updated", stripeSays),
        event("checkout.session.completed", completedSession()),
      ];
      const answers = await Promise.all(
        deliveries.map((e) => h.server.inject(signedStripeDelivery(e))),
      );
      expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
      expect(answers.filter((a) => a.json().result === "plan_month_granted")).toHaveLength(1);
      expect(await planEntries()).toEqual([["plan", 200]]);
      expect(await audits("subscription_changed")).toHaveLength(1);
    });

    it("keeps a scheduled downgrade recorded while an event was reading Stripe", async () => {
      await recordCustomer();
      await deliverTwice(event("customer.subscription.updated", stripeSays));
      // Stripe has the schedule; the change's own write lands while this event's read of
      // Stripe is under way (after the event started, before it applies what it read).
      stripeSays = { ...stripeSays, schedule: "sub_sched_1Acme" };
      const coming = {
        plan: "starter",
        interval: "month" as const,
        effectiveAt: new Date("2026-12-20T10:00:00Z"),
      };
      whileStripeAnswers = async () => {
        whileStripeAnswers = null;
        const stored = (await h.store.subscriptions.find(SUB))!;
        h.clock.set("2026-11-20T10:00:31Z");
        await h.store.subscriptions.put({
          ...stored,
          scheduledChange: coming,
          updatedAt: h.clock.now(),
        });
        h.clock.set("2026-11-20T10:00:32Z");
      };
      const res = await h.server.inject(
        signedStripeDelivery(event("customer.subscription.updated", stripeSays)),
      );
      expect(res.json()).toMatchObject({ result: "subscription_synced" });
      expect(whileStripeAnswers).toBeNull();
      expect((await h.store.subscriptions.find(SUB))!.scheduledChange).toEqual(coming);
    });

    it("a subscription's state alone grants nothing: an active period is no payment", async () => {
      await recordCustomer();
      expect(await deliverTwice(event("customer.subscription.updated", stripeSays))).toEqual([
        "subscription_synced",
        "subscription_synced",
      ]);
      expect(await plan()).toBe(0);
      // A paid invoice of another period (a late redelivery of an older one) pays nothing now.
      const old = invoice("in_0Acme", "paid", "2026-10-20T10:00:00Z", "2026-11-20T10:00:00Z");
      expect(await deliverTwice(event("invoice.paid", old))).toEqual([
        "subscription_synced",
        "subscription_synced",
      ]);
      expect(await plan()).toBe(0);
    });

    it("a renewal that fails grants nothing and says payment failed; when it succeeds, the month is granted", async () => {
      await recordCustomer();
      const first = invoice("in_1Acme", "paid", "2026-11-20T10:00:00Z", "2026-12-20T10:00:00Z");
      await deliverTwice(event("invoice.paid", first));
      // The renewal: Stripe moves the period, then the charge fails.
      h.clock.set("2026-12-20T11:00:00Z");
      stripeSays = subscription({
        plan: "pro",
        interval: "month",
        status: "active",
        start: "2026-12-20T10:00:00Z",
        end: "2027-01-20T10:00:00Z",
      });
      await deliverTwice(event("customer.subscription.updated", stripeSays));
      stripeSays = { ...stripeSays, status: "past_due" };
      const failed = invoice("in_2Acme", "open", "2026-12-20T10:00:00Z", "2027-01-20T10:00:00Z");
      expect(await deliverTwice(event("invoice.payment_failed", failed))).toEqual([
        "subscription_payment_failed",
        "subscription_payment_failed",
      ]);
      expect(await plan()).toBe(0);
      expect(await planEntries()).toEqual([
        ["plan", 200],
        ["expiration", -200],
      ]);
      expect(await status()).toMatchObject({ status: "past_due", paymentFailed: true });
      expect(await audits("subscription_payment_failed")).toHaveLength(1);
      // Stripe's retry succeeds.
      h.clock.set("2026-12-23T11:00:00Z");
      stripeSays = { ...stripeSays, status: "active" };
      const retried = invoice("in_2Acme", "paid", "2026-12-20T10:00:00Z", "2027-01-20T10:00:00Z");
      await deliverTwice(event("invoice.paid", retried));
      expect(await planEntries()).toEqual([
        ["plan", 200],
        ["expiration", -200],
        ["plan", 200],
      ]);
      expect(await status()).toMatchObject({ status: "active", paymentFailed: false });
    });

    it("an upgrade grants the month's difference at once; a downgrade nothing; cancel and reactivate are recorded", async () => {
      await recordCustomer();
      await deliverTwice(
        event(
          "invoice.paid",
          invoice("in_1Acme", "paid", "2026-11-20T10:00:00Z", "2026-12-20T10:00:00Z"),
        ),
      );
      h.clock.set("2026-12-01T09:00:00Z");
      stripeSays = { ...subscription({ ...shape(), plan: "team" }) };
      expect(await deliverTwice(event("customer.subscription.updated", stripeSays))).toEqual([
        "plan_month_granted",
        "subscription_synced",
      ]);
      expect(await plan()).toBe(750);
      stripeSays = subscription({ ...shape(), plan: "pro" });
      await deliverTwice(event("customer.subscription.updated", stripeSays));
      expect(await plan()).toBe(750);
      stripeSays = subscription({ ...shape(), plan: "pro", cancelAtPeriodEnd: true });
      await deliverTwice(event("customer.subscription.updated", stripeSays));
      expect(await status()).toMatchObject({ cancelAtPeriodEnd: true, plan: { id: "pro" } });
      stripeSays = subscription({ ...shape(), plan: "pro" });
      await deliverTwice(event("customer.subscription.updated", stripeSays));
      expect(await status()).toMatchObject({ cancelAtPeriodEnd: false });
      const changes = (await audits("subscription_changed")).map((a) => [
        a.details.plan,
        a.details.cancelAtPeriodEnd,
      ]);
      expect(changes).toEqual(
        expect.arrayContaining([
          ["pro", false],
          ["team", false],
          ["pro", true],
        ]),
      );
      // Ended: back on Free, keeping what it bought.
      h.clock.set("2026-12-20T10:00:01Z");
      stripeSays = subscription({ ...shape(), plan: "pro", status: "canceled" });
      await deliverTwice(event("customer.subscription.deleted", stripeSays));
      expect(await status()).toMatchObject({ plan: { id: "free" }, status: "canceled" });
      expect(await plan()).toBe(0);
    });

    it("changes nothing for a customer or a subscription Jasper did not make", async () => {
      await recordCustomer();
      await recordCustomer(h.orgB.id, "cus_TGlobex202");
      const strangers = [
        event(
          "customer.subscription.updated",
          subscription({ ...shape(), customer: "cus_Unknown" }),
        ),
        event("invoice.paid", {
          ...invoice("in_X", "paid", "2026-11-20T10:00:00Z", "2026-12-20T10:00:00Z"),
          customer: "cus_Unknown",
        }),
        event("checkout.session.completed", completedSession({ customer: "cus_Unknown" })),
        // Globex's customer naming Acme's subscription: Stripe says it is on Acme's customer.
        event("invoice.paid", {
          ...invoice("in_Y", "paid", "2026-11-20T10:00:00Z", "2026-12-20T10:00:00Z"),
          customer: "cus_TGlobex202",
        }),
        // Globex's session claiming to be Acme's account.
        event("checkout.session.completed", completedSession({ client_reference_id: "202" })),
      ];
      for (const e of strangers) expect(await deliverTwice(e)).toEqual(["ignored", "ignored"]);
      // A price of a product that is no plan of Jasper's.
      stripeSays = { ...stripeSays };
      stripeSays.items.data[0]!.price = {
        ...stripeSays.items.data[0]!.price,
        product: "prod_Other",
      } as Stripe.Price;
      expect(
        await deliverTwice(
          event(
            "invoice.paid",
            invoice("in_Z", "paid", "2026-11-20T10:00:00Z", "2026-12-20T10:00:00Z"),
          ),
        ),
      ).toEqual(["ignored", "ignored"]);
      expect(await plan()).toBe(0);
      expect(await plan(h.orgB.id)).toBe(0);
      expect(await h.store.subscriptions.find(SUB)).toBeNull();
    });
  });
});

/** Acme's monthly period from 20 November. */
const shape = (): SubscriptionShape => ({
  plan: "pro",
  interval: "month",
  status: "active",
  start: "2026-11-20T10:00:00Z",
  end: "2026-12-20T10:00:00Z",
});
