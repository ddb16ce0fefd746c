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
import { growthAttempt } from "../support/top-up-fixtures.js";

/**
 * Saving a card and setting up auto top-up through the API, over the production wiring:
 * Stripe mocked with nock in its own shapes, the setup's completion delivered signed.
 */
const ADMIN_A = "admin-acme-corp";
const BASE = "/api/v1/organizations/Acme-Corp/billing";

afterEach(closeHarnesses);

/** A setup-mode Checkout Session as Stripe sends it in checkout.session.completed. */
const setupSession = (over: Partial<Stripe.Checkout.Session> = {}) => ({
  id: "cs_test_setup1",
  object: "checkout.session",
  mode: "setup",
  status: "complete",
  payment_status: "no_payment_required",
  amount_total: null,
  currency: "usd",
  customer: "cus_TAcme",
  setup_intent: "seti_1Acme",
  client_reference_id: "101",
  metadata: { jasperAccountId: "101", purpose: "jasper_auto_top_up_card" },
  url: null,
  ...over,
});

const completed = (session: object, id = "evt_setup_1") => ({
  id,
  object: "event",
  api_version: "2026-10-28",
  created: 1_796_205_600,
  type: "checkout.session.completed",
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: { object: session },
});

/** The SetupIntent Stripe's API answers, its card expanded. */
const setupIntent = (over: Record<string, unknown> = {}) => ({
  id: "seti_1Acme",
  object: "setup_intent",
  status: "succeeded",
  usage: "off_session",
  created: 1_796_205_500,
  customer: "cus_TAcme",
  livemode: false,
  payment_method: {
    id: "pm_1Visa",
    object: "payment_method",
    type: "card",
    customer: "cus_TAcme",
    card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2030, funding: "credit" },
  },
  ...over,
});

describe("auto top-up and its card through the API", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    h = await createApiHarness({
      env: { STRIPE_SECRET_KEY: "sk_test_jasper", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET },
      stripe: testStripe(),
    });
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const get = (path: string, token = h.keyA) =>
    h.server.inject({ method: "GET", url: `${BASE}/${path}`, headers: h.auth(token) });
  const put = (payload: unknown, token = ADMIN_A) =>
    h.server.inject({
      method: "PUT",
      url: `${BASE}/auto-top-up`,
      headers: h.auth(token),
      payload: payload as string,
    });
  const on = {
    enabled: true,
    package: "growth",
    thresholdCredits: 20,
    monthlyMaxCount: 2,
    monthlyMaxCents: 24500,
  };
  const auditActions = async () =>
    (await h.store.audit.list(h.orgA.id, { limit: 100 })).map((e) => e.action);

  /** The admin saves a card: a customer, a setup session, and Stripe's signed completion. */
  async function saveCard() {
    nock(STRIPE_API, { reqheaders: { "idempotency-key": "jasper-customer:101" } })
      .post("/v1/customers")
      .reply(200, { id: "cus_TAcme", object: "customer", metadata: { jasperAccountId: "101" } });
    let sent: Record<string, string> = {};
    nock(STRIPE_API)
      .post("/v1/checkout/sessions", (body: Record<string, string>) => {
        sent = body;
        return true;
      })
      .reply(200, {
        ...setupSession({ status: "open" }),
        url: "https://checkout.stripe.com/c/pay/cs_test_setup1",
      });
    const started = await h.server.inject({
      method: "POST",
      url: `${BASE}/payment-method/setup`,
      headers: h.auth(ADMIN_A),
    });
    expect(started.statusCode).toBe(201);
    expect(started.json()).toEqual({
      url: "https://checkout.stripe.com/c/pay/cs_test_setup1",
      sessionId: "cs_test_setup1",
    });
    expect(sent).toMatchObject({
      mode: "setup",
      customer: "cus_TAcme",
      "allowed_payment_method_types[0]": "card",
      client_reference_id: "101",
    });

    nock(STRIPE_API)
      .get("/v1/setup_intents/seti_1Acme")
      .query({ "expand[0]": "payment_method" })
      .reply(200, setupIntent());
    const delivered = await h.server.inject(signedStripeDelivery(completed(setupSession())));
    expect(delivered.json()).toEqual({ received: true, result: "card_saved" });
  }

  it("is off by default, and cannot be switched on without a saved card", async () => {
    const res = await get("auto-top-up");
    expect(res.json()).toEqual({
      enabled: false,
      package: "starter",
      thresholdCredits: 10,
      monthlyMaxCount: 3,
      monthlyMaxCents: 9000,
      switchedOffBecause: null,
      paymentMethod: null,
      thisMonth: { count: 0, amountCents: 0 },
      lastAttempt: null,
    });
    const refused = await put(on);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("no_payment_method");
    expect((await get("auto-top-up")).json()).toEqual(res.json());
    expect(await h.store.autoTopUp.find(h.orgA.id)).toBeNull();
  });

  it("is not switched on again while a top-up is still in flight", async () => {
    await saveCard();
    await h.store.topUpAttempts.begin({
      attemptKey: "auto-top-up:101:e1",
      accountId: h.orgA.id,
      packageId: "growth",
      credits: 500,
      priceCents: 12250,
      currency: "usd",
      customerId: "cus_TAcme",
      paymentMethodId: "pm_1Visa",
      createdAt: new Date("2026-12-02T10:00:00Z"),
    });
    const refused = await put(on);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("top_up_pending");
    expect(await h.store.autoTopUp.find(h.orgA.id)).toBeNull();

    await h.store.topUpAttempts.settle(h.orgA.id, "auto-top-up:101:e1", "paid", new Date());
    expect((await put(on)).statusCode).toBe(200);
  });

  it("refuses bad settings with a 4xx and changes nothing", async () => {
    await saveCard();
    const cases: [unknown, number, string][] = [
      [{ ...on, thresholdCredits: -1 }, 400, "invalid_request"],
      [{ ...on, thresholdCredits: 501 }, 400, "threshold_above_package"],
      [{ ...on, monthlyMaxCount: 0 }, 400, "limit_too_low"],
      [{ ...on, monthlyMaxCents: 0 }, 400, "limit_too_low"],
      [{ ...on, monthlyMaxCents: 12249 }, 400, "limit_too_low"],
      [{ ...on, package: "platinum" }, 400, "unknown_package"],
      [{ ...on, thresholdCredits: 1.5 }, 400, "invalid_request"],
      [{ ...on, enabled: "yes" }, 400, "invalid_request"],
      [{ ...on, extra: 1 }, 400, "invalid_request"],
      [{ enabled: true }, 400, "invalid_request"],
    ];
    for (const [payload, status, code] of cases) {
      const res = await put(payload);
      expect([payload, res.statusCode, res.json().error.code]).toEqual([payload, status, code]);
    }
    // A key, even a write key, never changes it; another org's admin never sees it.
    const key = await h.addKey(h.orgA, "write");
    expect((await put(on, key)).statusCode).toBe(403);
    expect((await put(on, "admin-globex")).statusCode).toBe(404);
    expect(await h.store.autoTopUp.find(h.orgA.id)).toBeNull();
    expect(await auditActions()).not.toContain("auto_top_up_changed");
  });

  it("counts the money limit in the account's billing currency", async () => {
    await saveCard();
    await h.store.accounts.fixBillingCurrency(h.orgA.id, "eur");
    // Growth is €114.00: a limit under it is refused, one of it is enough (in dollars, $122.50
    // would not be).
    const under = await put({ ...on, monthlyMaxCents: 11399 });
    expect([under.statusCode, under.json().error.code]).toEqual([400, "limit_too_low"]);
    expect((await put({ ...on, monthlyMaxCents: 11400 })).statusCode).toBe(200);
  });

  it("saves a card from Stripe's signed setup, once however often Stripe delivers it", async () => {
    await saveCard();
    // Delivered again: the card stays, and the audit has it once.
    nock(STRIPE_API).get("/v1/setup_intents/seti_1Acme").query(true).reply(200, setupIntent());
    const again = await h.server.inject(
      signedStripeDelivery(completed(setupSession(), "evt_setup_2")),
    );
    expect(again.json()).toEqual({ received: true, result: "card_saved" });
    const res = await get("payment-method");
    expect(res.json()).toEqual({
      paymentMethod: { brand: "visa", last4: "4242", savedAt: "2026-12-02T09:58:20.000Z" },
    });
    expect((await auditActions()).filter((a) => a === "payment_method_saved")).toHaveLength(1);
    // Another org sees no card.
    expect((await get("payment-method", h.keyB)).statusCode).toBe(404);
  });

  it("saves nothing for a setup of a customer Jasper did not make, or for another account", async () => {
    await saveCard();
    const stranger = await h.server.inject(
      signedStripeDelivery(completed(setupSession({ customer: "cus_Stranger" }), "evt_s1")),
    );
    expect(stranger.json()).toEqual({ received: true, result: "ignored" });
    const otherAccount = await h.server.inject(
      signedStripeDelivery(completed(setupSession({ client_reference_id: "202" }), "evt_s2")),
    );
    expect(otherAccount.json()).toEqual({ received: true, result: "ignored" });
    // Neither asked Stripe about its SetupIntent (nock would refuse), nor touched the card.
    expect((await get("payment-method")).json().paymentMethod).toMatchObject({ last4: "4242" });
  });

  it("switches on with a card, and removing the card switches it off, audited", async () => {
    await saveCard();
    const res = await put(on);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ...on,
      switchedOffBecause: null,
      paymentMethod: { brand: "visa", last4: "4242" },
      thisMonth: { count: 0, amountCents: 0 },
      lastAttempt: null,
    });

    nock(STRIPE_API).post("/v1/payment_methods/pm_1Visa/detach").reply(200, {
      id: "pm_1Visa",
      object: "payment_method",
      customer: null,
    });
    const removed = await h.server.inject({
      method: "DELETE",
      url: `${BASE}/payment-method`,
      headers: h.auth(ADMIN_A),
    });
    expect(removed.json()).toEqual({
      removed: true,
      detachedAtStripe: true,
      autoTopUpSwitchedOff: true,
    });
    expect((await get("auto-top-up")).json()).toMatchObject({
      enabled: false,
      switchedOffBecause: "card_removed",
      paymentMethod: null,
    });
    const again = await h.server.inject({
      method: "DELETE",
      url: `${BASE}/payment-method`,
      headers: h.auth(ADMIN_A),
    });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe("no_payment_method");
    expect(await auditActions()).toEqual([
      "payment_method_removed",
      "auto_top_up_changed",
      "payment_method_saved",
    ]);
  });

  it("shows this month's top-ups against the limit and the last attempt with its outcome", async () => {
    const at = h.clock.now();
    const attempt = (entry: string, minutesAgo: number) =>
      growthAttempt(
        h.orgA.id,
        `auto-top-up:101:${entry}`,
        new Date(at.getTime() - minutesAgo * 60_000),
        "cus_TAcme",
      );
    await h.store.topUpAttempts.begin(attempt("e1", 120));
    await h.store.topUpAttempts.settle(h.orgA.id, "auto-top-up:101:e1", "paid", at);
    await h.store.topUpAttempts.begin(attempt("e2", 30));
    await h.store.topUpAttempts.settle(h.orgA.id, "auto-top-up:101:e2", "declined", at);
    // Another account's attempt is not Acme's.
    await h.store.topUpAttempts.begin({
      ...attempt("e3", 1),
      attemptKey: "auto-top-up:202:e3",
      accountId: h.orgB.id,
    });
    expect((await get("auto-top-up")).json()).toMatchObject({
      thisMonth: { count: 1, amountCents: 12250 },
      lastAttempt: {
        at: new Date(at.getTime() - 30 * 60_000).toISOString(),
        status: "declined",
        credits: 500,
        amountCents: 12250,
        currency: "usd",
      },
    });
  });
});
