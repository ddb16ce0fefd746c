import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import {
  createStripeEvents,
  type StripeEventOutcome,
  type StripeEventsDeps,
} from "../../src/billing/stripe-events.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { stripeEvent, testStripe } from "../support/stripe-test-kit.js";

/**
 * Which part of Jasper each Stripe event type goes to: the card setups, automatic top-ups,
 * subscriptions and invoice list are wired in only where configured (src/wiring/http.ts), and
 * an event for a part that is not wired is answered as one Jasper does not act on. The parts
 * are stand-ins here that say what they were given; their own suites test what they do.
 */
type Part = "setup" | "top-up" | "subscription" | "invoice";

const session = (changes: Record<string, unknown>) =>
  stripeEvent("checkout.session.completed", { object: changes }).data.object;
const event = (type: string, object?: unknown) =>
  object === undefined
    ? { id: "evt_1Routing", type }
    : { id: "evt_1Routing", type, data: { object } };

describe("Stripe events: each type goes to the part of Jasper that handles it", () => {
  // No part here asks Stripe anything: a call would fail the test at once.
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => nock.enableNetConnect());

  let calls: [string, unknown][];
  const part =
    (name: string, outcome: StripeEventOutcome) =>
    async (object: unknown): Promise<StripeEventOutcome> => {
      calls.push([name, object]);
      return outcome;
    };

  function events(wired: Part[], invoiceOutcome?: Awaited<ReturnType<typeof keep>>) {
    const store = createMemoryStore();
    const deps: StripeEventsDeps = {
      stripe: testStripe(),
      ledger: new Ledger({ store: store.ledger, freePerMonth: 0 }),
      sessions: store.checkoutSessions,
      purchases: store.ledger,
      packages: [...DEFAULT_PACKAGES],
    };
    if (wired.includes("setup"))
      deps.setupCompleted = part("setupCompleted", { result: "card_saved" });
    if (wired.includes("top-up")) {
      deps.topUps = {
        succeeded: part("topUps.succeeded", { result: "top_up_granted" }),
        failed: part("topUps.failed", { result: "top_up_declined" }),
      };
    }
    if (wired.includes("subscription")) {
      deps.subscriptions = {
        checkoutCompleted: part("subscriptions.checkoutCompleted", {
          result: "subscription_synced",
        }),
        subscriptionChanged: part("subscriptions.subscriptionChanged", {
          result: "subscription_synced",
        }),
        invoicePaid: part("subscriptions.invoicePaid", { result: "plan_month_granted" }),
        paymentFailed: part("subscriptions.paymentFailed", {
          result: "subscription_payment_failed",
        }),
      };
    }
    if (wired.includes("invoice")) {
      deps.invoices = { keep: (object) => keep(object, invoiceOutcome) };
    }
    return createStripeEvents(deps);
  }
  const keep = async (
    object: unknown,
    outcome: { result: "invoice_recorded" | "invoice_outdated" } = { result: "invoice_recorded" },
  ) => {
    calls.push(["invoices.keep", object]);
    return outcome;
  };

  beforeEach(() => {
    calls = [];
  });

  const ALL: Part[] = ["setup", "top-up", "subscription", "invoice"];

  it("gives a completed setup session to the card setups, a subscription's to the subscriptions", async () => {
    const handler = events(ALL);
    const setup = session({ mode: "setup", payment_status: "no_payment_required" });
    const subscription = session({ mode: "subscription" });
    expect(await handler.handle(event("checkout.session.completed", setup))).toStrictEqual({
      result: "card_saved",
    });
    expect(await handler.handle(event("checkout.session.completed", subscription))).toStrictEqual({
      result: "subscription_synced",
    });
    expect(calls).toStrictEqual([
      ["setupCompleted", setup],
      ["subscriptions.checkoutCompleted", subscription],
    ]);
  });

  it("gives a top-up's payment events to the top-ups, a subscription's events to the subscriptions", async () => {
    const handler = events(ALL);
    const types = [
      "payment_intent.succeeded",
      "payment_intent.payment_failed",
      "customer.subscription.created",
      "customer.subscription.updated",
      "customer.subscription.deleted",
    ];
    const outcomes = [];
    for (const [i, type] of types.entries()) {
      outcomes.push(await handler.handle(event(type, { id: `obj_${i}` })));
    }
    expect(outcomes.map((o) => o.result)).toStrictEqual([
      "top_up_granted",
      "top_up_declined",
      "subscription_synced",
      "subscription_synced",
      "subscription_synced",
    ]);
    expect(calls).toStrictEqual([
      ["topUps.succeeded", { id: "obj_0" }],
      ["topUps.failed", { id: "obj_1" }],
      ["subscriptions.subscriptionChanged", { id: "obj_2" }],
      ["subscriptions.subscriptionChanged", { id: "obj_3" }],
      ["subscriptions.subscriptionChanged", { id: "obj_4" }],
    ]);
  });

  it("keeps an invoice event for the invoice list, and answers with what the subscriptions did when they acted", async () => {
    const handler = events(ALL);
    expect(await handler.handle(event("invoice.paid", { id: "in_1" }))).toStrictEqual({
      result: "plan_month_granted",
    });
    expect(await handler.handle(event("invoice.payment_failed", { id: "in_2" }))).toStrictEqual({
      result: "subscription_payment_failed",
    });
    expect(calls).toStrictEqual([
      ["invoices.keep", { id: "in_1" }],
      ["subscriptions.invoicePaid", { id: "in_1" }],
      ["invoices.keep", { id: "in_2" }],
      ["subscriptions.paymentFailed", { id: "in_2" }],
    ]);
  });

  it("answers with the invoice kept when nothing else acts on the event, and keeps no other type", async () => {
    const handler = events(["invoice"], { result: "invoice_outdated" });
    expect(await handler.handle(event("invoice.finalized", { id: "in_3" }))).toStrictEqual({
      result: "invoice_outdated",
    });
    expect(await handler.handle(event("invoice.paid", { id: "in_4" }))).toStrictEqual({
      result: "invoice_outdated",
    });
    expect(await handler.handle(event("customer.created", { id: "cus_1" }))).toStrictEqual({
      result: "ignored",
      reason: "unhandled_type",
      detail: "Jasper does not act on this event type",
    });
    expect(calls).toStrictEqual([
      ["invoices.keep", { id: "in_3" }],
      ["invoices.keep", { id: "in_4" }],
    ]);
  });

  it("answers an event for a part that is not wired as one Jasper does not act on", async () => {
    const handler = events([]);
    const outcomes = [];
    for (const type of [
      "payment_intent.succeeded",
      "payment_intent.payment_failed",
      "customer.subscription.created",
      "customer.subscription.updated",
      "customer.subscription.deleted",
      "invoice.paid",
      "invoice.payment_failed",
    ]) {
      outcomes.push(await handler.handle(event(type, { id: "obj_1" })));
    }
    const notWired = (detail: string) => ({ result: "ignored", reason: "unhandled_type", detail });
    expect(outcomes).toStrictEqual([
      notWired("auto top-up is not wired"),
      notWired("auto top-up is not wired"),
      notWired("subscriptions are not wired"),
      notWired("subscriptions are not wired"),
      notWired("subscriptions are not wired"),
      notWired("subscriptions are not wired"),
      notWired("subscriptions are not wired"),
    ]);
    expect(calls).toStrictEqual([]);
  });

  it("takes a setup or subscription session for a purchase when their part is not wired: Jasper sold none", async () => {
    const handler = events([]);
    const setup = session({ mode: "setup", payment_status: "no_payment_required" });
    expect(await handler.handle(event("checkout.session.completed", setup))).toStrictEqual({
      result: "ignored",
      reason: "not_paid",
      detail: `Checkout Session ${(setup as { id: string }).id} is not paid`,
    });
    const subscription = session({ mode: "subscription", id: "cs_test_Subscription1" });
    expect(await handler.handle(event("checkout.session.completed", subscription))).toMatchObject({
      result: "ignored",
      reason: "unrecorded",
      detail: "Checkout Session cs_test_Subscription1 was not created by Jasper",
    });
    expect(calls).toStrictEqual([]);
  });

  it("settles a session whose asynchronous payment succeeded as a paid completion", async () => {
    const handler = events(ALL);
    const paid = session({ id: "cs_test_AsyncPaid1" });
    expect(
      await handler.handle(event("checkout.session.async_payment_succeeded", paid)),
    ).toStrictEqual({
      result: "ignored",
      reason: "unrecorded",
      detail: "Checkout Session cs_test_AsyncPaid1 was not created by Jasper",
    });
    expect(calls).toStrictEqual([]);
  });

  it("reads a refund event of either name as a refund, and an event without data as one without an object", async () => {
    const handler = events(ALL);
    for (const type of ["refund.updated", "charge.refund.updated"]) {
      expect(await handler.handle(event(type, { object: "refund" }))).toStrictEqual({
        result: "ignored",
        reason: "malformed",
        detail: "not a Refund: id, status, charge",
      });
    }
    expect(await handler.handle(event("customer.created"))).toStrictEqual({
      result: "ignored",
      reason: "unhandled_type",
      detail: "Jasper does not act on this event type",
    });
    expect(await handler.handle(event("charge.refunded"))).toStrictEqual({
      result: "ignored",
      reason: "malformed",
      detail: "not a Charge: (object)",
    });
    expect(await handler.handle(event("invoice.voided"))).toStrictEqual({
      result: "invoice_recorded",
    });
    expect(calls).toStrictEqual([["invoices.keep", undefined]]);
  });
});
