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

/**
 * Plans in the account's currency (issues 20/21), over the production wiring: the checkout
 * priced by the package checkout's currency rule and with Stripe Tax when it is on, a plan
 * change priced in the subscription's own currency, and a paid subscription invoice fixing
 * the billing currency. Stripe mocked with nock in stripe-node 23's shapes (API 2026-10-28).
 */
const ADMIN_A = "admin-acme-corp";
const BASE = "/api/v1/organizations/Acme-Corp/billing";
const CUSTOMER = "cus_TAcme101";
const SUB = "sub_1AcmeEur";
const START = "2026-11-20T10:00:00Z";
const END = "2026-12-20T10:00:00Z";
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

afterEach(closeHarnesses);

/** Acme's monthly subscription to `plan`, billed in `currency`, as Stripe's API answers it. */
function subscription(plan: string, currency: string) {
  const price = {
    id: `price_${plan}_${currency}`,
    object: "price",
    currency,
    product: `jasper_plan_${plan}`,
    recurring: {
      interval: "month",
      interval_count: 1,
      meter: null,
      trial_period_days: null,
      usage_type: "licensed",
    },
    type: "recurring",
  } satisfies Partial<Stripe.Price>;
  const item = {
    id: `si_${SUB}`,
    object: "subscription_item",
    current_period_start: at(START),
    current_period_end: at(END),
    price: price as Stripe.Price,
    quantity: 1,
    subscription: SUB,
  } satisfies Partial<Stripe.SubscriptionItem>;
  const rest = {
    id: SUB,
    object: "subscription",
    cancel_at_period_end: false,
    currency,
    customer: CUSTOMER,
    schedule: null as string | null,
    status: "active",
  } satisfies Partial<Omit<Stripe.Subscription, "items">>;
  return { ...rest, items: { object: "list" as const, data: [item], has_more: false, url: "" } };
}

/** The subscription's paid invoice for the period, in `currency`. */
function paidInvoice(id: string, currency: string, customer = CUSTOMER) {
  const line = {
    id: `il_${id}`,
    object: "line_item",
    currency,
    period: { start: at(START), end: at(END) },
  } satisfies Partial<Stripe.InvoiceLineItem>;
  return {
    id,
    object: "invoice",
    amount_paid: 4500,
    currency,
    customer,
    lines: { object: "list", data: [line as Stripe.InvoiceLineItem], has_more: false, url: "" },
    parent: {
      type: "subscription_details",
      quote_details: null,
      subscription_details: { metadata: {}, subscription: SUB },
    },
    status: "paid",
  } satisfies Partial<Stripe.Invoice>;
}

let n = 0;
const event = (type: string, object: object) => ({
  id: `evt_cur_${++n}`,
  object: "event",
  api_version: "2026-10-28",
  created: 1_796_205_600 + n,
  type,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: { object },
});

/** The form of the next Checkout Session created, once Stripe is asked. */
function captureSession() {
  const sent: Record<string, string>[] = [];
  nock(STRIPE_API)
    .post("/v1/checkout/sessions", (body: Record<string, string>) => {
      sent.push(body);
      return true;
    })
    .reply(200, {
      id: "cs_test_cur1",
      object: "checkout.session",
      mode: "subscription",
      status: "open",
      url: "https://checkout.stripe.com/c/pay/cs_test_cur1",
    } satisfies Partial<Stripe.Checkout.Session>);
  return sent;
}

const product = (plan: string) =>
  nock(STRIPE_API)
    .get(`/v1/products/jasper_plan_${plan}`)
    .reply(200, { id: `jasper_plan_${plan}`, object: "product", name: `Jasper ${plan}` });

const TAX_KEYS = [
  "automatic_tax[enabled]",
  "billing_address_collection",
  "tax_id_collection[enabled]",
  "customer_update[address]",
  "customer_update[name]",
];

describe("plans in the account's currency", () => {
  let h: ApiHarness;

  async function harness(env: Record<string, string> = {}) {
    h = await createApiHarness({
      env: { STRIPE_SECRET_KEY: "sk_test_jasper", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ...env },
      stripe: testStripe(),
    });
    await h.store.stripeCustomers.record({
      accountId: h.orgA.id,
      customerId: CUSTOMER,
      createdAt: new Date(),
    });
  }
  const subscribe = (payload: object) =>
    h.server.inject({
      method: "POST",
      url: `${BASE}/subscription`,
      headers: h.auth(ADMIN_A),
      payload,
    });
  /** Acme in its first month, Stripe's API answering its subscription as `.now` is. */
  async function served(first: ReturnType<typeof subscription>) {
    await harness();
    h.clock.set("2026-11-20T10:00:30Z");
    const says = { now: first };
    nock(STRIPE_API)
      .persist()
      .get(`/v1/subscriptions/${SUB}`)
      .reply(200, () => says.now);
    return says;
  }
  const changePlan = (plan: string) =>
    h.server.inject({
      method: "PUT",
      url: `${BASE}/subscription`,
      headers: h.auth(ADMIN_A),
      payload: { plan, interval: "month" },
    });
  const audits = async (action: string) =>
    (await h.store.audit.list(h.orgA.id, { limit: 100 })).filter((a) => a.action === action);
  const fixedCurrency = async () => (await h.store.accounts.get(h.orgA.id))?.billingCurrency;

  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("prices a EUR subscription checkout in EUR, with no tax parameters while tax is off", async () => {
    await harness();
    product("pro");
    const sent = captureSession();
    const res = await subscribe({ plan: "pro", interval: "month", currency: "eur" });
    expect(res.statusCode).toBe(201);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      mode: "subscription",
      "line_items[0][price_data][currency]": "eur",
      "line_items[0][price_data][unit_amount]": "4500",
      "line_items[0][price_data][recurring][interval]": "month",
    });
    for (const key of TAX_KEYS) expect(sent[0]).not.toHaveProperty([key]);
    // Asking is no payment: the currency is fixed only when an invoice is paid.
    expect(await fixedCurrency()).toBeUndefined();
  });

  it("sends Stripe Tax's parameters when STRIPE_AUTOMATIC_TAX is on", async () => {
    await harness({ STRIPE_AUTOMATIC_TAX: "true" });
    product("team");
    const sent = captureSession();
    expect((await subscribe({ plan: "team", interval: "year" })).statusCode).toBe(201);
    expect(sent[0]).toMatchObject({
      "line_items[0][price_data][currency]": "usd",
      "line_items[0][price_data][unit_amount]": "149000",
      "automatic_tax[enabled]": "true",
      billing_address_collection: "required",
      "tax_id_collection[enabled]": "true",
      "customer_update[address]": "auto",
      "customer_update[name]": "auto",
    });
  });

  it("refuses another currency than the fixed GBP with a 409, asking Stripe nothing; absent, GBP", async () => {
    await harness();
    await h.store.accounts.fixBillingCurrency(h.orgA.id, "gbp");
    product("pro");
    const sent = captureSession();
    const refused = await subscribe({ plan: "pro", interval: "year", currency: "eur" });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("currency_fixed");
    expect(refused.json().error.message).toContain("GBP");
    expect(nock.pendingMocks()).toHaveLength(2);
    expect(sent).toEqual([]);
    expect(await audits("subscription_checkout")).toEqual([]);

    expect((await subscribe({ plan: "pro", interval: "year" })).statusCode).toBe(201);
    expect(sent[0]).toMatchObject({
      "line_items[0][price_data][currency]": "gbp",
      "line_items[0][price_data][unit_amount]": "39000",
    });
  });

  it("a paid EUR invoice fixes the currency once; a EUR subscription's upgrade and downgrade are priced in EUR", async () => {
    const stripeSays = await served(subscription("pro", "eur"));
    const deliver = async (e: object) => {
      const res = await h.server.inject(signedStripeDelivery(e));
      expect(res.statusCode).toBe(200);
      return res.json().result as string;
    };
    // A stranger's invoice fixes nothing.
    expect(await deliver(event("invoice.paid", paidInvoice("in_X", "gbp", "cus_Unknown")))).toBe(
      "ignored",
    );
    expect(await fixedCurrency()).toBeUndefined();
    const paid = event("invoice.paid", paidInvoice("in_1AcmeEur", "eur"));
    expect([await deliver(paid), await deliver(paid)]).toEqual([
      "plan_month_granted",
      "subscription_synced",
    ]);
    expect(await fixedCurrency()).toBe("eur");
    // Another paid invoice (in whatever currency) changes nothing: fixed once, one entry.
    await deliver(event("invoice.paid", paidInvoice("in_2AcmeEur", "gbp")));
    expect(await fixedCurrency()).toBe("eur");
    const fixedEntries = await audits("billing_currency_fixed");
    expect(fixedEntries.map((a) => a.details)).toEqual([{ currency: "eur" }]);

    // The upgrade: prorated at once, in the subscription's EUR.
    h.clock.set("2026-12-01T09:00:00Z");
    product("team");
    const updated: Record<string, string>[] = [];
    nock(STRIPE_API)
      .post(`/v1/subscriptions/${SUB}`, (body: Record<string, string>) => {
        updated.push(body);
        return true;
      })
      .reply(200, () => (stripeSays.now = subscription("team", "eur")));
    const up = await changePlan("team");
    expect(up.statusCode).toBe(200);
    expect(updated[0]).toMatchObject({
      "items[0][price_data][currency]": "eur",
      "items[0][price_data][unit_amount]": "13900",
      proration_behavior: "always_invoice",
    });

    // The downgrade back to Pro: its next phase in EUR too.
    product("pro");
    const schedule = {
      id: "sub_sched_1AcmeEur",
      object: "subscription_schedule",
      phases: [{ start_date: at(START), end_date: at(END) } as Stripe.SubscriptionSchedule.Phase],
    } satisfies Partial<Stripe.SubscriptionSchedule>;
    nock(STRIPE_API).post("/v1/subscription_schedules").reply(200, schedule);
    const phased: Record<string, string>[] = [];
    nock(STRIPE_API)
      .post(`/v1/subscription_schedules/${schedule.id}`, (body: Record<string, string>) => {
        phased.push(body);
        return true;
      })
      .reply(200, schedule);
    const down = await changePlan("pro");
    expect(down.statusCode).toBe(200);
    expect(phased[0]).toMatchObject({
      "phases[0][items][0][price]": "price_team_eur",
      "phases[1][items][0][price_data][currency]": "eur",
      "phases[1][items][0][price_data][unit_amount]": "4500",
    });
  });

  it("refuses a change of a subscription billed in a currency Jasper sets no price in; nothing sent", async () => {
    await served(subscription("pro", "jpy"));
    await h.server.inject(signedStripeDelivery(event("invoice.paid", paidInvoice("in_J", "jpy"))));
    const res = await changePlan("team");
    expect([res.statusCode, res.json().error.code]).toEqual([409, "unpriced_currency"]);
    const asked = (await audits("subscription_changed")).filter(
      (a) => a.actor.kind === "github_user",
    );
    expect(asked).toEqual([]);
  });
});
