import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import type { CheckoutSessionStore } from "../../src/billing/checkout-session-store.js";
import { createCheckout } from "../../src/billing/create-checkout.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { createStripeCustomers } from "../../src/billing/stripe-customers.js";
import { MemoryCheckoutSessionStore } from "../../src/store/memory/memory-checkout-session-store.js";
import { MemoryStripeCustomerStore } from "../../src/store/memory/memory-stripe-customer-store.js";
import { STRIPE_API, testStripe } from "../support/stripe-test-kit.js";

const packages = [...DEFAULT_PACKAGES];
const NOW = new Date("2026-11-16T10:00:00Z");
const input = {
  accountId: 9001,
  accountLogin: "Acme-Corp",
  packageId: "growth",
  requestKey: "checkout:9001:7f0c2a3e-5b1d-4c8e-9a6f-0d2e4b6c8a1f",
};

/** POST /v1/checkout/sessions answered with this session, `times` times. */
function mockCreate(id = "cs_test_a1NewSession", times = 1) {
  nock(STRIPE_API, { reqheaders: { "idempotency-key": input.requestKey } })
    .post("/v1/checkout/sessions")
    .times(times)
    .reply(200, { id, object: "checkout.session", url: `https://checkout.stripe.com/c/pay/${id}` });
}

const CUSTOMER = "cus_TAcme9001";

/** Like mockCreate, once, keeping the form Jasper sent: read it with the returned function. */
function captureCreate(id = "cs_test_a1NewSession"): () => Record<string, string> {
  let sent: Record<string, string> = {};
  nock(STRIPE_API, { reqheaders: { "idempotency-key": input.requestKey } })
    .post("/v1/checkout/sessions", (body: Record<string, string>) => {
      sent = body;
      return true;
    })
    .reply(200, { id, object: "checkout.session", url: `https://checkout.stripe.com/c/pay/${id}` });
  return () => sent;
}

describe("createCheckout", () => {
  let sessions: MemoryCheckoutSessionStore;
  let customers: ReturnType<typeof createStripeCustomers>;
  beforeEach(async () => {
    sessions = new MemoryCheckoutSessionStore();
    // The account's customer exists already: no Stripe call for it (stripe-customers.test.ts).
    const store = new MemoryStripeCustomerStore();
    await store.record({ accountId: toAccountId(9001), customerId: CUSTOMER, createdAt: NOW });
    customers = createStripeCustomers({ stripe: testStripe(), store });
  });
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("creates a Checkout Session for the package, with the caller's idempotency key", async () => {
    const sent = captureCreate("cs_test_a1NewSession");

    const checkout = createCheckout({
      stripe: testStripe(),
      sessions,
      customers,
      publicUrl: "https://jasper.example/",
      packages,
    });
    expect(await checkout(input)).toStrictEqual({
      status: "created",
      url: "https://checkout.stripe.com/c/pay/cs_test_a1NewSession",
      sessionId: "cs_test_a1NewSession",
    });

    expect(sent()).toMatchObject({
      mode: "payment",
      "line_items[0][quantity]": "1",
      "line_items[0][price_data][currency]": "usd",
      "line_items[0][price_data][unit_amount]": "12250",
      "line_items[0][price_data][product_data][name]": "Jasper Growth: 500 review credits",
      client_reference_id: "9001",
      "metadata[accountId]": "9001",
      "metadata[packageId]": "growth",
      "metadata[credits]": "500",
      "payment_intent_data[metadata][accountId]": "9001",
      "payment_intent_data[metadata][packageId]": "growth",
      "payment_intent_data[metadata][credits]": "500",
      // Back to the account's own page (the account is in the dashboard's addresses).
      success_url:
        "https://jasper.example/billing/Acme-Corp?checkout=success&session_id={CHECKOUT_SESSION_ID}",
      cancel_url: "https://jasper.example/billing/Acme-Corp?checkout=cancelled",
    });
    // For the account's own customer, with an invoice; no tax unless STRIPE_AUTOMATIC_TAX.
    expect(sent()).toMatchObject({ customer: CUSTOMER, "invoice_creation[enabled]": "true" });
    const taxKeys = Object.keys(sent()).filter((k) =>
      /^(automatic_tax|billing_address_collection|tax_id_collection|customer_update)/.test(k),
    );
    expect(taxKeys).toStrictEqual([]);
    // Exactly one line item.
    expect(Object.keys(sent()).filter((k) => k.startsWith("line_items[1]"))).toStrictEqual([]);
  });

  it("refuses a package that does not exist, without calling Stripe", async () => {
    const checkout = createCheckout({
      stripe: testStripe(),
      sessions,
      customers,
      publicUrl: "https://jasper.example",
      packages,
    });
    expect(await checkout({ ...input, packageId: "enterprise" })).toStrictEqual({
      status: "unknown_package",
    });
  });

  it("is unavailable without a Stripe secret key", async () => {
    const checkout = createCheckout({
      stripe: null,
      sessions,
      customers,
      publicUrl: "https://jasper.example",
      packages,
    });
    expect(await checkout(input)).toStrictEqual({ status: "unavailable" });
  });
  it("records the session it created, with the package's credits and price", async () => {
    mockCreate();
    const checkout = createCheckout({
      stripe: testStripe(),
      sessions,
      customers,
      publicUrl: "https://jasper.example",
      packages,
      now: () => NOW,
    });
    expect((await checkout(input)).status).toBe("created");
    expect(await sessions.find("cs_test_a1NewSession")).toStrictEqual({
      sessionId: "cs_test_a1NewSession",
      accountId: toAccountId(9001),
      packageId: "growth",
      credits: 500,
      priceCents: 12250,
      currency: "usd",
      createdAt: NOW,
      paymentIntent: null,
    });
  });

  it("records nothing for a package that does not exist or without Stripe", async () => {
    const deps = { sessions, customers, publicUrl: "https://jasper.example", packages };
    await createCheckout({ ...deps, stripe: testStripe() })({ ...input, packageId: "enterprise" });
    await createCheckout({ ...deps, stripe: null })(input);
    expect(await sessions.find("cs_test_a1NewSession")).toBeNull();
  });

  it("hands out no URL when the session cannot be recorded; a retry with the same key can", async () => {
    let down = true;
    const flaky: Pick<CheckoutSessionStore, "record"> = {
      record: async (session) => {
        if (down) throw new Error("database unavailable");
        return sessions.record(session);
      },
    };
    // Stripe answers a retried idempotency key with the same session.
    mockCreate("cs_test_a1NewSession", 2);
    const checkout = createCheckout({
      stripe: testStripe(),
      sessions: flaky,
      customers,
      publicUrl: "https://jasper.example",
      packages,
    });
    await expect(checkout(input)).rejects.toThrow("database unavailable");
    expect(await sessions.find("cs_test_a1NewSession")).toBeNull();

    down = false;
    expect(await checkout(input)).toStrictEqual({
      status: "created",
      url: "https://checkout.stripe.com/c/pay/cs_test_a1NewSession",
      sessionId: "cs_test_a1NewSession",
    });
    expect((await sessions.find("cs_test_a1NewSession"))?.credits).toBe(500);
  });

  it("gives the same session back to a retry, and no URL for a session recorded on other terms", async () => {
    mockCreate("cs_test_a1NewSession", 2);
    const checkout = createCheckout({
      stripe: testStripe(),
      sessions,
      customers,
      publicUrl: "https://jasper.example",
      packages,
    });
    const first = await checkout(input);
    expect(await checkout(input)).toStrictEqual(first);

    // The same session id already stands for something else: a bug or tampering.
    mockCreate("cs_test_a1Taken");
    await sessions.record({
      sessionId: "cs_test_a1Taken",
      accountId: toAccountId(4242),
      packageId: "starter",
      credits: 100,
      priceCents: 3000,
      currency: "usd",
      createdAt: NOW,
    });
    await expect(checkout(input)).rejects.toThrow(/already recorded with other terms/);
    expect((await sessions.find("cs_test_a1Taken"))?.accountId).toBe(4242);
  });

  it("with STRIPE_AUTOMATIC_TAX, asks Stripe Tax and collects the address and tax ID", async () => {
    const sent = captureCreate("cs_test_a1Taxed");
    const checkout = createCheckout({
      stripe: testStripe(),
      sessions,
      customers,
      publicUrl: "https://jasper.example",
      packages,
      automaticTax: true,
    });
    expect((await checkout(input)).status).toBe("created");
    expect(sent()).toMatchObject({
      customer: CUSTOMER,
      "invoice_creation[enabled]": "true",
      "automatic_tax[enabled]": "true",
      billing_address_collection: "required",
      "tax_id_collection[enabled]": "true",
      "customer_update[address]": "auto",
      "customer_update[name]": "auto",
    });
  });

  it("makes the account's customer first when it has none, once, with its own key", async () => {
    const store = new MemoryStripeCustomerStore();
    nock(STRIPE_API, { reqheaders: { "idempotency-key": "jasper-customer:9001" } })
      .post("/v1/customers")
      .reply(200, { id: "cus_TNew9001", object: "customer" });
    const sent = captureCreate("cs_test_a1First");
    const checkout = createCheckout({
      stripe: testStripe(),
      sessions,
      customers: createStripeCustomers({ stripe: testStripe(), store }),
      publicUrl: "https://jasper.example",
      packages,
    });
    expect((await checkout(input)).status).toBe("created");
    expect(sent().customer).toBe("cus_TNew9001");
    expect((await store.find(toAccountId(9001)))?.customerId).toBe("cus_TNew9001");
  });
});
