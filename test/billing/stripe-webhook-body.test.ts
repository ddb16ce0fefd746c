import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { STRIPE_WEBHOOK_BODY_LIMIT } from "../../src/billing/stripe-webhook-route.js";
import {
  billingHarness,
  recordCheckout,
  signedStripeDelivery,
  stripeEvent,
  type BillingHarness,
} from "../support/stripe-test-kit.js";

/** Text that appears in the bodies below and must never appear in a log line. */
const MARKER = "MARKER-9f1c-do-not-log";
const acme = toAccountId(9001);

/**
 * A checkout.session.completed padded to about `bytes` bytes in a field the handler does not
 * read, with `metadata` in place of the fixture's.
 */
function paddedEvent(bytes: number, metadata?: Record<string, string>) {
  return stripeEvent("checkout.session.completed", {
    object: {
      ...(metadata && { metadata }),
      custom_text: { submit: { message: MARKER + "x".repeat(Math.max(0, bytes - 2000)) } },
    },
  });
}

describe("Stripe webhook: bodies are bounded and never logged", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let h: BillingHarness;
  afterEach(() => h?.server.close());

  const logged = () => h.rawLogs.join("");

  it("logs a refused signature without the body", async () => {
    h = await billingHarness({ captureLogs: true });
    const res = await h.server.inject(
      signedStripeDelivery(paddedEvent(900_000), { secret: "whsec_someone_else" }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: "invalid_signature" } });
    const refusal = h.logs.find((l) => /signature verification failed/.test(l.msg));
    expect(refusal).toBeDefined();
    expect(logged()).not.toContain(MARKER);
    expect(logged().length).toBeLessThan(10_000);
  });

  it("logs an ignored event by id, type and reason, without the payload", async () => {
    h = await billingHarness({ captureLogs: true });
    await recordCheckout(h.store);
    // A recorded session whose metadata was edited: ignored, and worth an operator's look.
    const edited = { accountId: "9001", packageId: "growth", credits: "5000" };
    const res = await h.server.inject(signedStripeDelivery(paddedEvent(20_000, edited)));
    expect(res.json()).toStrictEqual({ received: true, result: "ignored" });
    const line = h.logs.find((l) => l.msg === "Stripe event ignored");
    expect(line).toMatchObject({
      level: 50,
      stripeEvent: "evt_1Jasper0CheckoutCompleted",
      type: "checkout.session.completed",
      reason: "terms_mismatch",
    });
    expect(logged()).not.toContain(MARKER);
    expect(logged()).not.toContain("billing@acme.example");
    expect(await h.store.ledger.list(acme, { limit: 10 })).toHaveLength(0);
  });

  it("logs a session labelled as Jasper's that Jasper never recorded as a warning", async () => {
    h = await billingHarness({ captureLogs: true });
    const res = await h.server.inject(signedStripeDelivery(paddedEvent(5_000)));
    expect(res.json()).toStrictEqual({ received: true, result: "ignored" });
    expect(h.logs.find((l) => l.msg === "Stripe event ignored")).toMatchObject({
      level: 40,
      reason: "unrecorded",
    });
    expect(logged()).not.toContain(MARKER);
  });

  it("refuses a body over its limit with a 413 before handling it, whatever the server allows", async () => {
    h = await billingHarness({ captureLogs: true, serverBodyLimit: 8 * 1024 * 1024 });
    await recordCheckout(h.store);
    const delivery = signedStripeDelivery(paddedEvent(STRIPE_WEBHOOK_BODY_LIMIT + 1000));
    expect(Buffer.byteLength(delivery.payload)).toBeGreaterThan(STRIPE_WEBHOOK_BODY_LIMIT);
    const res = await h.server.inject(delivery);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: "payload_too_large" } });
    expect(h.logs.some((l) => /Stripe event/.test(l.msg))).toBe(false);
    expect(logged()).not.toContain(MARKER);
    expect(await h.store.ledger.list(acme, { limit: 10 })).toHaveLength(0);
  });

  it("still takes an event of ordinary size", async () => {
    h = await billingHarness({ serverBodyLimit: 8 * 1024 * 1024 });
    // Not recorded: the point is only that the body is read and handled.
    const res = await h.server.inject(signedStripeDelivery(paddedEvent(200_000)));
    expect(res.statusCode).toBe(200);
  });
});
