import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import { createStripeCustomers } from "../../src/billing/stripe-customers.js";
import { MemoryStripeCustomerStore } from "../../src/store/memory/memory-stripe-customer-store.js";
import { STRIPE_API, testStripe } from "../support/stripe-test-kit.js";

const account = toAccountId(9001);
const NOW = new Date("2026-12-01T09:00:00Z");

/** A Customer as Stripe answers POST /v1/customers (the fields stripe-node types). */
const customerObject = (id: string): Partial<Stripe.Customer> => ({
  id,
  object: "customer",
  created: 1_796_115_600,
  description: "Jasper account 9001",
  email: null,
  livemode: false,
  metadata: { jasperAccountId: "9001" },
  invoice_settings: {
    custom_fields: null,
    default_payment_method: null,
    footer: null,
    rendering_options: null,
  },
});

describe("the account's Stripe customer", () => {
  let store: MemoryStripeCustomerStore;
  beforeEach(() => {
    store = new MemoryStripeCustomerStore();
    nock.disableNetConnect();
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("is created once, with the account's idempotency key, and then read from the store", async () => {
    let sent: Record<string, string> = {};
    nock(STRIPE_API, { reqheaders: { "idempotency-key": "jasper-customer:9001" } })
      .post("/v1/customers", (body: Record<string, string>) => {
        sent = body;
        return true;
      })
      .reply(200, customerObject("cus_Ta1"));
    const customers = createStripeCustomers({ stripe: testStripe(), store, now: () => NOW });

    const expected = {
      accountId: account,
      customerId: "cus_Ta1",
      createdAt: NOW,
      paymentMethod: null,
    };
    expect(await customers.ensure(account)).toStrictEqual({ status: "ready", customer: expected });
    // Parsed from the form body (a null-prototype object), so equal by value.
    expect(sent).toEqual({
      description: "Jasper account 9001",
      "metadata[jasperAccountId]": "9001",
    });
    // No second request: nock would refuse it.
    expect(await customers.ensure(account)).toStrictEqual({ status: "ready", customer: expected });
    expect(await store.find(account)).toStrictEqual(expected);
  });

  it("is one customer for many concurrent requests: Stripe's idempotency answers each the same", async () => {
    nock(STRIPE_API, { reqheaders: { "idempotency-key": "jasper-customer:9001" } })
      .post("/v1/customers")
      .times(20)
      .reply(200, customerObject("cus_Ta1"));
    const customers = createStripeCustomers({ stripe: testStripe(), store, now: () => NOW });
    const results = await Promise.all(Array.from({ length: 20 }, () => customers.ensure(account)));
    for (const r of results) {
      expect(r).toStrictEqual({
        status: "ready",
        customer: {
          accountId: account,
          customerId: "cus_Ta1",
          createdAt: NOW,
          paymentMethod: null,
        },
      });
    }
  });

  it("is the recorded one when there is one: Stripe is not asked", async () => {
    await store.record({ accountId: account, customerId: "cus_First", createdAt: NOW });
    const customers = createStripeCustomers({ stripe: testStripe(), store });
    expect(await customers.ensure(account)).toMatchObject({
      customer: { customerId: "cus_First" },
    });
  });

  it("refuses a customer another account holds, and an answer that is not a customer", async () => {
    await store.record({ accountId: toAccountId(5), customerId: "cus_Taken", createdAt: NOW });
    nock(STRIPE_API).post("/v1/customers").reply(200, customerObject("cus_Taken"));
    const customers = createStripeCustomers({ stripe: testStripe(), store });
    await expect(customers.ensure(account)).rejects.toThrow(/recorded for another account/);
    expect(await store.find(account)).toBeNull();

    nock(STRIPE_API).post("/v1/customers").reply(200, { id: "pm_1", object: "payment_method" });
    await expect(customers.ensure(account)).rejects.toThrow(/something else/);
    expect(await store.find(account)).toBeNull();
  });

  it("passes Stripe's failure on and records nothing; without Stripe it is unavailable", async () => {
    nock(STRIPE_API)
      .post("/v1/customers")
      .reply(500, { error: { type: "api_error", message: "Something went wrong" } });
    const customers = createStripeCustomers({ stripe: testStripe(), store });
    await expect(customers.ensure(account)).rejects.toMatchObject({ type: "StripeAPIError" });
    expect(await store.find(account)).toBeNull();

    const none = createStripeCustomers({ stripe: null, store });
    expect(await none.ensure(account)).toStrictEqual({ status: "unavailable" });
  });
});
