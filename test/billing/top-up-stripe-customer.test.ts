import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import { createStripeCustomers } from "../../src/billing/stripe-customers.js";
import { MemoryStripeCustomerStore } from "../../src/store/memory/memory-stripe-customer-store.js";
import { STRIPE_API, testStripe } from "../support/stripe-test-kit.js";

/**
 * The customer a saved card and every automatic top-up hang off is recorded only from an
 * answer that is a Stripe Customer with a Customer id, whole: what the record holds is later
 * matched against every Stripe object about the account's card.
 */
const account = toAccountId(9001);

const customerAnswer = (over: Partial<Stripe.Customer> = {}) =>
  ({
    id: "cus_Ta1",
    object: "customer",
    created: 1_796_115_600,
    description: "Jasper account 9001",
    livemode: false,
    metadata: { jasperAccountId: "9001" },
    ...over,
  }) satisfies Partial<Stripe.Customer>;

describe("the account's Stripe customer, as Stripe answers its creation", () => {
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

  it.each([
    ["an id with something before the customer id", { id: "acct_cus_Ta1" }],
    ["an id with something after the customer id", { id: "cus_Ta1/../acct_1" }],
    ["a Customer id with nothing after its prefix", { id: "cus_" }],
    ["a customer without a Customer id", { id: "pm_1Visa" }],
    ["a Customer id on another object", { object: "payment_method" as "customer" }],
  ])("records nothing from %s", async (_what, over) => {
    nock(STRIPE_API).post("/v1/customers").reply(200, customerAnswer(over));
    const customers = createStripeCustomers({ stripe: testStripe(), store });
    await expect(customers.ensure(account)).rejects.toThrow(/something else/);
    expect(await store.find(account)).toBeNull();
    expect(await store.findByCustomerAcrossAccounts("cus_Ta1")).toBeNull();
  });

  it("records the customer at the time it was made, by the real clock unless told", async () => {
    nock(STRIPE_API).post("/v1/customers").reply(200, customerAnswer());
    const customers = createStripeCustomers({ stripe: testStripe(), store });
    const before = Date.now();
    const made = await customers.ensure(account);
    const after = Date.now();
    expect(made).toMatchObject({ status: "ready", customer: { customerId: "cus_Ta1" } });
    const createdAt = (await store.find(account))?.createdAt.getTime();
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(createdAt).toBeLessThanOrEqual(after);
  });

  it("finds the recorded customer without asking Stripe, and none for an account without", async () => {
    const at = new Date("2026-12-01T09:00:00Z");
    await store.record({ accountId: account, customerId: "cus_Ta1", createdAt: at });
    await store.savePaymentMethod(account, "cus_Ta1", {
      id: "pm_1Visa9001",
      brand: "visa",
      last4: "4242",
      savedAt: at,
    });
    const customers = createStripeCustomers({ stripe: testStripe(), store });
    expect(await customers.find(account)).toStrictEqual(await store.find(account));
    expect(await customers.find(account)).toMatchObject({
      customerId: "cus_Ta1",
      paymentMethod: { last4: "4242" },
    });
    expect(await customers.find(toAccountId(9002))).toBeNull();
  });
});
