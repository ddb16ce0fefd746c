import { beforeEach, describe, expect, it } from "@jest/globals";
import type Stripe from "stripe";
import { toAccountId } from "../../src/accounts/types.js";
import { createAuditLog } from "../../src/audit/audit-log.js";
import { DEFAULT_PACKAGES, type CreditPackage } from "../../src/billing/packages.js";
import { createTopUpPaymentEvents } from "../../src/billing/top-up-payment-events.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { growthAttempt, topUpIntent } from "../support/top-up-fixtures.js";

/**
 * What the events of a top-up's own PaymentIntent leave behind: the purchase entry, the
 * attempt's settlement (outcome and time) and its audit entry, and the follow-ups of a payment
 * that was not made (the emails and the switch-off after repeated declines), each for the
 * outcome that stands, whichever of the job, the webhook and the repair sweep got there first.
 */
const acme = toAccountId(9001);
const CUSTOMER = "cus_TAcme9001";
const KEY = "auto-top-up:9001:entry-1";
const PI = "pi_3TopUp9001a";
const T0 = new Date("2026-11-20T10:00:00Z");

const intent = (over: Partial<Stripe.PaymentIntent> = {}) =>
  topUpIntent(PI, { customer: CUSTOMER, amount: 12250, attemptKey: KEY }, over);

const declinedIntent = () =>
  intent({
    status: "requires_payment_method",
    amount_received: 0,
    last_payment_error: {
      type: "card_error",
      code: "card_declined",
      decline_code: "insufficient_funds",
    } as Stripe.PaymentIntent.LastPaymentError,
  });

describe("top-up payment events: what they record", () => {
  let store: Store;
  let ledger: Ledger;
  let notPaid: string[];

  beforeEach(async () => {
    store = createMemoryStore();
    ledger = new Ledger({ store: store.ledger, freePerMonth: 0 });
    notPaid = [];
    await store.stripeCustomers.record({ accountId: acme, customerId: CUSTOMER, createdAt: T0 });
    expect((await store.topUpAttempts.begin(growthAttempt(acme, KEY, T0))).status).toBe("begun");
  });

  /** The handlers as wired in production, without a clock: they read the real time. */
  const events = (packages: readonly CreditPackage[] = DEFAULT_PACKAGES) =>
    createTopUpPaymentEvents({
      ledger,
      attempts: store.topUpAttempts,
      customers: store.stripeCustomers,
      packages,
      audit: createAuditLog({ store: store.audit }),
      onNotPaid: async (attempt, outcome) => void notPaid.push(`${attempt.attemptKey}:${outcome}`),
    });
  const link = async () =>
    expect(await store.topUpAttempts.linkPaymentIntent(acme, KEY, PI)).toBe(true);
  const attempt = () => store.topUpAttempts.find(acme, KEY);
  const purchases = async () =>
    (await ledger.list(acme, { types: ["purchase"], limit: 10 })).entries;
  const attemptAudits = async () =>
    (await store.audit.list(acme, { limit: 100 }))
      .filter((a) => a.action === "auto_top_up_attempt")
      .map((a) => a.details);

  it("audits the paid attempt with its purchase entry, and settles it at the time it was paid", async () => {
    await link();
    const before = Date.now();
    expect(await events().succeeded(intent())).toStrictEqual({ result: "top_up_granted" });
    const after = Date.now();

    const [entry] = await purchases();
    expect(entry).toBeDefined();
    expect(await attemptAudits()).toStrictEqual([
      {
        attemptKey: KEY,
        outcome: "paid",
        paymentIntent: PI,
        packageId: "growth",
        credits: 500,
        amountCents: 12250,
        currency: "usd",
        // Which entry the payment made: what an operator follows from the audit to the ledger.
        entryId: entry?.id,
      },
    ]);
    const settled = await attempt();
    expect(settled).toMatchObject({ state: "succeeded", outcome: "paid" });
    // Settled at the real time when no clock is given: the record an operator reads.
    const settledAt = settled?.settledAt?.getTime() ?? Number.NaN;
    expect(settledAt).toBeGreaterThanOrEqual(before);
    expect(settledAt).toBeLessThanOrEqual(after);
  });

  it("grants the attempt's credits under its package id when the package is no longer on sale", async () => {
    await link();
    const onSale = DEFAULT_PACKAGES.filter((p) => p.id !== "growth");
    expect(await events(onSale).succeeded(intent())).toStrictEqual({ result: "top_up_granted" });
    const granted = await purchases();
    expect(granted).toHaveLength(1);
    expect(granted[0]).toMatchObject({
      amount: 500,
      description: "Automatic top-up, growth package: 500 credits",
    });
    expect((await ledger.summary(acme)).balance).toBe(500);
  });

  it("pays a linked intent by its link, whatever its metadata says now", async () => {
    // Metadata can be edited in Stripe's dashboard; the link recorded from Stripe's answer
    // to the job's own request is what makes the intent the attempt's.
    await link();
    expect(await events().succeeded(intent({ metadata: {} }))).toStrictEqual({
      result: "top_up_granted",
    });
    expect(await purchases()).toHaveLength(1);
    expect(await attempt()).toMatchObject({ outcome: "paid" });
  });

  it("finds an unlinked intent by the metadata key the job has always written", async () => {
    // Spelled out: intents created before a release carry this name at Stripe, and an event
    // delivered before the job's link is found through it.
    const early = intent({ metadata: { jasperTopUpAttempt: KEY } });
    expect(await events().succeeded(early)).toStrictEqual({ result: "top_up_granted" });
    expect(await purchases()).toHaveLength(1);
    expect(await attempt()).toMatchObject({ paymentIntent: PI, outcome: "paid" });
  });

  it("settles an intent waiting for the customer's authentication as such, without an error code", async () => {
    // What the repair sweep hands over for an intent Stripe holds in requires_action: no
    // decline happened, so it must not count towards switching auto top-up off.
    await link();
    const waiting = intent({ status: "requires_action", amount_received: 0 });
    expect(await events().failed(waiting)).toStrictEqual({ result: "top_up_declined" });
    expect(await attempt()).toMatchObject({ state: "failed", outcome: "authentication_required" });
    expect(notPaid).toStrictEqual([`${KEY}:authentication_required`]);
    expect((await attemptAudits()).map((d) => d.outcome)).toStrictEqual([
      "authentication_required",
    ]);
  });

  it("leaves a paid attempt paid when a failure of its intent arrives after the payment", async () => {
    // An earlier confirmation's failure, delivered late: the customer has paid, so no
    // "top-up failed" email, no decline in the streak, no decline audited.
    await link();
    const handlers = events();
    expect(await handlers.succeeded(intent())).toStrictEqual({ result: "top_up_granted" });
    expect(await handlers.failed(declinedIntent())).toStrictEqual({ result: "top_up_declined" });
    expect(await attempt()).toMatchObject({ state: "succeeded", outcome: "paid" });
    expect(notPaid).toStrictEqual([]);
    expect((await attemptAudits()).map((d) => d.outcome)).toStrictEqual(["paid"]);
    expect(await purchases()).toHaveLength(1);
  });

  it("repeats the follow-ups of the outcome the job recorded when the failure event comes after it", async () => {
    // The job's synchronous answer settled the attempt (authentication required) and it
    // crashed before its follow-ups: the event repairs them, for the outcome that stands.
    await link();
    expect(
      await store.topUpAttempts.settle(acme, KEY, "authentication_required", T0),
    ).not.toBeNull();
    expect(await events().failed(declinedIntent())).toStrictEqual({ result: "top_up_declined" });
    expect(await attempt()).toMatchObject({ outcome: "authentication_required", settledAt: T0 });
    expect(notPaid).toStrictEqual([`${KEY}:authentication_required`]);
    expect(await attemptAudits()).toStrictEqual([
      {
        attemptKey: KEY,
        outcome: "authentication_required",
        paymentIntent: PI,
        packageId: "growth",
        credits: 500,
        amountCents: 12250,
        currency: "usd",
      },
    ]);
  });
});
