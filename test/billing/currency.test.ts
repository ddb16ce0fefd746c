import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { createCheckout } from "../../src/billing/create-checkout.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { createTopUpPayer, topUpAttemptKey } from "../../src/billing/pay-top-up.js";
import { createStripeCustomers } from "../../src/billing/stripe-customers.js";
import {
  billingHarness,
  mockPaymentIntent,
  signedStripeDelivery,
  STRIPE_API,
  stripeEvent,
  testStripe,
  type BillingHarness,
} from "../support/stripe-test-kit.js";
import { GROWTH_SETTINGS, topUpIntent } from "../support/top-up-fixtures.js";

/**
 * The account's billing currency: picked by the buyer before the first payment, fixed by
 * that payment (as Stripe fixes a customer's), and used by every later checkout and top-up.
 */
const acme = toAccountId(9001);
const SESSION = "cs_test_a1Jasper0Growth9001";
const PI = "pi_3Jasper0Growth9001";
const T0 = new Date("2026-11-20T10:00:00Z");
const input = {
  accountId: acme,
  accountLogin: "Acme-Corp",
  packageId: "growth",
  requestKey: "checkout:9001:1",
};

describe("the billing currency", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  beforeEach(async () => {
    h = await billingHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    // The account's Stripe customer exists already: checkouts are for it, no call to make it.
    await h.store.stripeCustomers.record({
      accountId: acme,
      customerId: "cus_T9001",
      createdAt: T0,
    });
  });
  afterEach(() => h.server.close());

  const checkout = () =>
    createCheckout({
      stripe: testStripe(),
      sessions: h.store.checkoutSessions,
      publicUrl: "https://jasper.example",
      packages: DEFAULT_PACKAGES,
      customers: createStripeCustomers({ stripe: testStripe(), store: h.store.stripeCustomers }),
      billingCurrency: async (id) =>
        (await h.store.accounts.get(toAccountId(id)))?.billingCurrency ?? null,
      now: () => T0,
    });

  /** POST /v1/checkout/sessions, answered only for a body with these price fields. */
  const expectSession = (id: string, currency: string, unitAmount: number) =>
    nock(STRIPE_API)
      .post("/v1/checkout/sessions", (body: Record<string, string>) => {
        return (
          body["line_items[0][price_data][currency]"] === currency &&
          body["line_items[0][price_data][unit_amount]"] === String(unitAmount)
        );
      })
      .reply(200, { id, object: "checkout.session", url: `https://checkout.stripe.com/c/${id}` });

  const deliver = async (event: unknown) => {
    const res = await h.server.inject(signedStripeDelivery(event));
    expect(res.statusCode).toBe(200);
    return res.json().result as string;
  };

  it("is picked at the first checkout, fixed by its payment, and then refuses another", async () => {
    // Before any payment the buyer picks EUR: the Growth package's euro price.
    expectSession(SESSION, "eur", 11400);
    expect((await checkout()({ ...input, currency: "eur" })).status).toBe("created");
    expect(await h.store.checkoutSessions.find(SESSION)).toMatchObject({
      priceCents: 11400,
      currency: "eur",
    });
    expect((await h.store.accounts.get(acme))!.billingCurrency).toBeUndefined();

    // Paid: the entry records what Stripe charged, and the currency is fixed.
    mockPaymentIntent(PI);
    const paid = stripeEvent("checkout.session.completed", {
      object: { id: SESSION, amount_total: 11400, amount_subtotal: 11400, currency: "eur" },
    });
    expect(await deliver(paid)).toBe("granted");
    const [entry] = await h.store.ledger.list(acme, { types: ["purchase"], limit: 10 });
    expect(entry!.reference).toMatchObject({ paidCents: 11400, currency: "eur" });
    expect((await h.store.accounts.get(acme))!.billingCurrency).toBe("eur");
    // Delivered again: already granted, and the audit log says once that EUR was fixed.
    mockPaymentIntent(PI);
    expect(await deliver(paid)).toBe("already_granted");
    const fixedAudits = (await h.store.audit.list(acme, { limit: 100 })).filter(
      (a) => a.action === "billing_currency_fixed",
    );
    expect(fixedAudits.map((a) => [a.actor, a.details])).toEqual([
      [{ kind: "stripe" }, { currency: "eur" }],
    ]);

    // Another currency now: refused, Stripe never asked (no mock), nothing recorded.
    expect(await checkout()({ ...input, currency: "gbp", requestKey: "k2" })).toStrictEqual({
      status: "currency_fixed",
      fixed: "eur",
    });
    expect(await h.store.checkoutSessions.find("cs_test_a1Second")).toBeNull();

    // No currency asked: the fixed one, whatever the default is.
    expectSession("cs_test_a1Second", "eur", 11400);
    expect((await checkout()({ ...input, requestKey: "k3" })).status).toBe("created");
    expect(await h.store.checkoutSessions.find("cs_test_a1Second")).toMatchObject({
      currency: "eur",
    });
  });

  it("is not moved by a later payment in another currency (two checkouts opened before either was paid)", async () => {
    await h.store.accounts.fixBillingCurrency(acme, "gbp");
    expectSession(SESSION, "gbp", 9800);
    expect((await checkout()({ ...input, currency: "gbp" })).status).toBe("created");
    mockPaymentIntent(PI);
    const paid = stripeEvent("checkout.session.completed", {
      object: { id: SESSION, amount_total: 9800, amount_subtotal: 9800, currency: "gbp" },
    });
    expect(await deliver(paid)).toBe("granted");
    expect(await h.store.accounts.fixBillingCurrency(acme, "usd")).toBe("gbp");
  });

  it("is what an automatic top-up charges, at the package's price in it", async () => {
    await h.store.accounts.fixBillingCurrency(acme, "eur");
    await h.store.stripeCustomers.savePaymentMethod(acme, "cus_T9001", {
      id: "pm_1Visa9001",
      brand: "visa",
      last4: "4242",
      savedAt: T0,
    });
    // The monthly money limit counts in euros: two Growth top-ups at 114.00.
    await h.store.autoTopUp.save(acme, { ...GROWTH_SETTINGS, monthlyMaxCents: 22800 }, T0);
    let sent: Record<string, string> = {};
    nock(STRIPE_API)
      .post("/v1/payment_intents", (body: Record<string, string>) => {
        sent = body;
        return true;
      })
      .reply(
        200,
        topUpIntent("pi_T1", { customer: "cus_T9001", amount: 11400 }, { currency: "eur" }),
      );
    const payer = createTopUpPayer({
      stripe: testStripe(),
      settings: h.store.autoTopUp,
      customers: h.store.stripeCustomers,
      attempts: h.store.topUpAttempts,
      balance: async () => 5,
      packages: DEFAULT_PACKAGES,
      billingCurrency: async (id) => (await h.store.accounts.get(id))?.billingCurrency ?? null,
      now: () => T0,
    });
    expect((await payer.run(acme, "e1")).status).toBe("requested");
    expect(sent).toMatchObject({ amount: "11400", currency: "eur", customer: "cus_T9001" });
    expect(await h.store.topUpAttempts.find(acme, topUpAttemptKey(acme, "e1"))).toMatchObject({
      priceCents: 11400,
      currency: "eur",
    });
  });
});
