import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import { parsePlans, planCatalog } from "../../src/billing/plans.js";
import { createSubscriptionCheckout } from "../../src/billing/subscription-checkout.js";

const acme = toAccountId(9001);
const customer = {
  accountId: acme,
  customerId: "cus_TAcme9001",
  createdAt: new Date("2026-11-01T00:00:00Z"),
  paymentMethod: null,
};

describe("a subscription checkout when Stripe is out of reach", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("answers unavailable, having made nothing, and throws what Stripe refuses", async () => {
    // Stripe unreachable: a port on 127.0.0.1 where nothing listens (connection refused).
    nock.enableNetConnect("127.0.0.1:9");
    const unreachable = new Stripe("sk_test_jasper", {
      host: "127.0.0.1",
      port: 9,
      protocol: "http",
      maxNetworkRetries: 0,
      timeout: 5_000,
    });
    const checkout = (stripe: Stripe) =>
      createSubscriptionCheckout({
        stripe,
        customers: { ensure: async () => ({ status: "ready", customer }) },
        subscriptions: { findByAccount: async () => null },
        plans: planCatalog(parsePlans(undefined), 3),
        publicUrl: "https://jasper.example",
      });
    const input = {
      accountId: acme,
      accountLogin: "acme",
      plan: "pro",
      interval: "month" as const,
      requestKey: "k1",
    };
    expect(await checkout(unreachable)(input)).toEqual({ status: "unavailable" });
    // A refusal (a bad request) is no outage: it is thrown, for a 500 and a log line.
    nock.disableNetConnect();
    nock("https://api.stripe.com")
      .get("/v1/products/jasper_plan_pro")
      .reply(400, { error: { type: "invalid_request_error", message: "bad" } });
    const stripe = new Stripe("sk_test_jasper", { maxNetworkRetries: 0 });
    await expect(checkout(stripe)(input)).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidRequestError,
    );
  });
});
