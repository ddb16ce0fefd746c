import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { createCheckout } from "../../src/billing/create-checkout.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { STRIPE_API, testStripe } from "../support/stripe-test-kit.js";

const packages = [...DEFAULT_PACKAGES];
const input = {
  accountId: 9001,
  accountLogin: "Acme-Corp",
  packageId: "growth",
  requestKey: "checkout:9001:7f0c2a3e-5b1d-4c8e-9a6f-0d2e4b6c8a1f",
};

describe("createCheckout", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("creates a Checkout Session for the package, with the caller's idempotency key", async () => {
    let sent: Record<string, string> = {};
    nock(STRIPE_API, { reqheaders: { "idempotency-key": input.requestKey } })
      .post("/v1/checkout/sessions", (body: Record<string, string>) => {
        sent = body;
        return true;
      })
      .reply(200, {
        id: "cs_test_a1NewSession",
        object: "checkout.session",
        url: "https://checkout.stripe.com/c/pay/cs_test_a1NewSession",
      });

    const checkout = createCheckout({
      stripe: testStripe(),
      publicUrl: "https://jasper.example/",
      packages,
    });
    expect(await checkout(input)).toStrictEqual({
      status: "created",
      url: "https://checkout.stripe.com/c/pay/cs_test_a1NewSession",
      sessionId: "cs_test_a1NewSession",
    });

    expect(sent).toMatchObject({
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
      success_url:
        "https://jasper.example/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}",
      cancel_url: "https://jasper.example/billing?checkout=cancelled",
    });
    // Exactly one line item.
    expect(Object.keys(sent).filter((k) => k.startsWith("line_items[1]"))).toStrictEqual([]);
  });

  it("refuses a package that does not exist, without calling Stripe", async () => {
    const checkout = createCheckout({
      stripe: testStripe(),
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
      publicUrl: "https://jasper.example",
      packages,
    });
    expect(await checkout(input)).toStrictEqual({ status: "unavailable" });
  });
});
