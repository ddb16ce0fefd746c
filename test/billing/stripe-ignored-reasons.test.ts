import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { createStripeEvents, type StripeEvents } from "../../src/billing/stripe-events.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import {
  mockPaymentIntent,
  mockRefundList,
  mockSessionOfPayment,
  recordCheckout,
  refundObject,
  STRIPE_API,
  stripeEvent,
  testStripe,
} from "../support/stripe-test-kit.js";

/**
 * An event Jasper does not act on is answered 200 all the same, so what the operator has to go
 * on is the outcome's reason (which picks the log level) and its detail (which names the ids
 * and the field that did not match, never a value from the payload). Each way of ignoring an
 * event is shown here with the reason and the detail it gives.
 */
const acme = toAccountId(9001);
const SESSION = "cs_test_a1Jasper0Growth9001";
const PI = "pi_3Jasper0Growth9001";
const CHARGE = "ch_3Jasper0Growth9001";

const session = (changes: Record<string, unknown> = {}) =>
  stripeEvent("checkout.session.completed", { object: changes }).data.object;
const charge = (changes: Record<string, unknown> = {}) =>
  stripeEvent("charge.refunded", {
    object: { id: CHARGE, payment_intent: PI, metadata: {}, ...changes },
  }).data.object;
const event = (type: string, object: unknown) => ({
  id: "evt_1Jasper0Reasons",
  type,
  data: { object },
});

describe("Stripe events: why an event changed nothing", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let store: Store;
  let events: StripeEvents;
  beforeEach(() => {
    store = createMemoryStore();
    const ledger = new Ledger({ store: store.ledger, freePerMonth: 0 });
    events = createStripeEvents({
      stripe: testStripe(),
      ledger,
      sessions: store.checkoutSessions,
      purchases: store.ledger,
      packages: [...DEFAULT_PACKAGES],
    });
  });

  const nothingWritten = async () =>
    expect(await store.ledger.list(acme, { limit: 10 })).toStrictEqual([]);

  it("names an event type it does not act on, and an asynchronous payment that failed", async () => {
    expect(await events.handle(event("customer.created", {}))).toStrictEqual({
      result: "ignored",
      reason: "unhandled_type",
      detail: "Jasper does not act on this event type",
    });
    const failed = await events.handle(
      event("checkout.session.async_payment_failed", session({ payment_status: "unpaid" })),
    );
    expect(failed).toStrictEqual({
      result: "ignored",
      reason: "not_paid",
      detail: "the asynchronous payment failed",
    });
    await nothingWritten();
  });

  it("names the fields a session, charge or refund lacks", async () => {
    const outcomes = [
      await events.handle(event("checkout.session.completed", session({ amount_total: "1" }))),
      await events.handle(event("charge.refunded", charge({ currency: 3 }))),
      await events.handle(event("refund.updated", { object: "refund", id: "re_1", charge: 5 })),
    ];
    expect(outcomes).toStrictEqual([
      { result: "ignored", reason: "malformed", detail: "not a Checkout Session: amount_total" },
      { result: "ignored", reason: "malformed", detail: "not a Charge: currency" },
      { result: "ignored", reason: "malformed", detail: "not a Refund: status, charge" },
    ]);
  });

  it("names an unpaid session, and one Jasper never created, labelled as its own or not", async () => {
    expect(
      await events.handle(
        event("checkout.session.completed", session({ payment_status: "unpaid" })),
      ),
    ).toStrictEqual({
      result: "ignored",
      reason: "not_paid",
      detail: `Checkout Session ${SESSION} is not paid`,
    });
    const unrecorded = await events.handle(event("checkout.session.completed", session()));
    const foreign = await events.handle(
      event("checkout.session.completed", session({ metadata: {} })),
    );
    const notOurs = `Checkout Session ${SESSION} was not created by Jasper`;
    expect([unrecorded, foreign]).toStrictEqual([
      { result: "ignored", reason: "unrecorded", detail: notOurs },
      { result: "ignored", reason: "not_ours", detail: notOurs },
    ]);
    await nothingWritten();
  });

  it("names each term a paid session differs from the recorded one in", async () => {
    await recordCheckout(store);
    const growth = { accountId: "9001", packageId: "growth", credits: "500" };
    const cases: [Record<string, unknown>, string][] = [
      [{ amount_total: 12249 }, "amount_total is not the recorded price"],
      [{ currency: "eur" }, "currency is not the recorded currency"],
      [{ client_reference_id: "9002" }, "client_reference_id is not the recorded account"],
      [{ metadata: {} }, "metadata is missing"],
      [
        { metadata: { ...growth, accountId: "9002" } },
        "metadata names another account or package than recorded",
      ],
      [
        { metadata: { ...growth, packageId: "scale" } },
        "metadata names another account or package than recorded",
      ],
      [{ metadata: { ...growth, credits: "600" } }, "metadata names other credits than recorded"],
      [{ payment_intent: null }, "is paid without a payment"],
    ];
    for (const [change, why] of cases) {
      const outcome = await events.handle(event("checkout.session.completed", session(change)));
      expect(outcome).toMatchObject({ result: "ignored", reason: "terms_mismatch" });
      expect(outcome).toHaveProperty("detail", expect.stringContaining(why));
      expect(outcome).toHaveProperty("detail", expect.stringContaining(SESSION));
    }
    const invalid = await events.handle(
      event("checkout.session.completed", session({ metadata: { ...growth, credits: "many" } })),
    );
    expect(invalid).toMatchObject({ result: "ignored", reason: "terms_mismatch" });
    expect(invalid).toHaveProperty(
      "detail",
      expect.stringMatching(
        /^Checkout Session cs_test_a1Jasper0Growth9001: metadata is invalid \(.*credits.*\)$/,
      ),
    );
    await nothingWritten();
  });

  it("names a session paid with another session's payment intent", async () => {
    await recordCheckout(store);
    await recordCheckout(store, { sessionId: "cs_test_a1Second9001" });
    expect(
      await store.checkoutSessions.linkPaymentIntent("cs_test_a1Second9001", PI),
    ).toMatchObject({
      status: "linked",
    });
    expect(await events.handle(event("checkout.session.completed", session()))).toStrictEqual({
      result: "ignored",
      reason: "terms_mismatch",
      detail: `Checkout Session ${SESSION}: payment intent ${PI} is not the session's own`,
    });
    await nothingWritten();
  });

  it("names a refunded charge that is no checkout's payment, labelled as Jasper's or not", async () => {
    const noPayment = await events.handle(
      event("charge.refunded", charge({ payment_intent: null, metadata: { credits: "100" } })),
    );
    mockSessionOfPayment(PI, null);
    const unknown = await events.handle(event("charge.refunded", charge()));
    const notCheckout = `charge ${CHARGE} is not the payment of a Jasper checkout`;
    expect([noPayment, unknown]).toStrictEqual([
      { result: "ignored", reason: "unrecorded", detail: notCheckout },
      { result: "ignored", reason: "not_ours", detail: notCheckout },
    ]);
  });

  it("names a session Stripe lists for a payment that is not that payment's", async () => {
    mockSessionOfPayment(PI, session({ payment_intent: "pi_3Other" }));
    expect(await events.handle(event("charge.refunded", charge()))).toStrictEqual({
      result: "ignored",
      reason: "malformed",
      detail: `Checkout Session ${SESSION} from Stripe is not the payment of charge ${CHARGE}`,
    });
    await nothingWritten();
  });

  it("names a refund in another currency, and a refunded charge with nothing left to take back", async () => {
    await recordCheckout(store);
    mockPaymentIntent(PI);
    expect(await events.handle(event("checkout.session.completed", session()))).toMatchObject({
      result: "granted",
    });
    expect(
      await events.handle(event("charge.refunded", charge({ currency: "eur" }))),
    ).toStrictEqual({
      result: "ignored",
      reason: "terms_mismatch",
      detail: `charge ${CHARGE} is not in the recorded currency`,
    });
    nock(STRIPE_API)
      .get("/v1/refunds")
      .query({ payment_intent: PI, limit: "100" })
      .reply(200, {
        object: "list",
        url: "/v1/refunds",
        has_more: false,
        data: [
          refundObject(
            { paymentIntent: PI, charge: CHARGE },
            { id: "re_1Pending", amount: 12250, status: "pending", created: 1 },
          ),
        ],
      });
    expect(await events.handle(event("charge.refunded", charge()))).toStrictEqual({
      result: "ignored",
      reason: "nothing_to_take_back",
      detail: `charge ${CHARGE} has no refund to take or give back`,
    });
    // The purchase stands, and nothing was taken back.
    expect(await store.ledger.list(acme, { types: ["adjustment"], limit: 10 })).toStrictEqual([]);
    expect((await store.ledger.list(acme, { types: ["purchase"], limit: 10 })).length).toBe(1);
  });

  it("names a refund that has neither succeeded nor failed, and a charge Stripe answers in another shape", async () => {
    const refund = (status: string | null, chargeId: string | null = CHARGE) =>
      event("refund.updated", {
        ...refundObject(
          { paymentIntent: PI, charge: CHARGE },
          { id: "re_1Jasper", amount: 100, status: status as string, created: 1 },
        ),
        charge: chargeId,
      });
    const neither = "refund re_1Jasper has neither succeeded nor failed";
    for (const pending of [refund("pending"), refund(null), refund("succeeded", null)]) {
      expect(await events.handle(pending)).toStrictEqual({
        result: "ignored",
        reason: "nothing_to_take_back",
        detail: neither,
      });
    }
    nock(STRIPE_API).get(`/v1/charges/${CHARGE}`).reply(200, { id: CHARGE, object: "charge" });
    expect(await events.handle(refund("failed"))).toStrictEqual({
      result: "ignored",
      reason: "malformed",
      detail: `charge ${CHARGE} from Stripe: currency, payment_intent`,
    });
  });

  it("takes nothing back when the purchase its payment points to is not that payment's", async () => {
    await recordCheckout(store);
    await store.checkoutSessions.linkPaymentIntent(SESSION, PI);
    // The session's purchase key holds an entry another payment wrote (or an operator's).
    const ledger = new Ledger({ store: store.ledger, freePerMonth: 0 });
    await ledger.grant(acme, {
      type: "purchase",
      amount: 500,
      description: "Growth package: 500 credits",
      reference: { kind: "stripe", checkoutSession: SESSION, paymentIntent: "pi_3Other" },
      idempotencyKey: `stripe-checkout:${SESSION}`,
    });
    expect(await events.handle(event("charge.refunded", charge()))).toStrictEqual({
      result: "ignored",
      reason: "not_ours",
      detail: `charge ${CHARGE}: no purchase was granted for its payment`,
    });
    expect(await store.ledger.list(acme, { types: ["adjustment"], limit: 10 })).toStrictEqual([]);
  });

  it("takes nothing back when the entry under the purchase's key is no purchase", async () => {
    await recordCheckout(store);
    await store.checkoutSessions.linkPaymentIntent(SESSION, PI);
    const ledger = new Ledger({ store: store.ledger, freePerMonth: 0 });
    await ledger.adjust(acme, {
      amount: 500,
      bucket: "purchased",
      description: "Operator: the Growth purchase, by hand",
      idempotencyKey: `stripe-checkout:${SESSION}`,
    });
    expect(await events.handle(event("charge.refunded", charge()))).toStrictEqual({
      result: "ignored",
      reason: "not_ours",
      detail: `charge ${CHARGE}: no purchase was granted for its payment`,
    });
  });

  it("takes nothing back for a purchase recorded at a price of 0", async () => {
    await recordCheckout(store, { priceCents: 0 });
    await store.checkoutSessions.linkPaymentIntent(SESSION, PI);
    const ledger = new Ledger({ store: store.ledger, freePerMonth: 0 });
    await ledger.grant(acme, {
      type: "purchase",
      amount: 500,
      description: "Growth package: 500 credits",
      idempotencyKey: `stripe-checkout:${SESSION}`,
    });
    expect(await events.handle(event("charge.refunded", charge()))).toStrictEqual({
      result: "ignored",
      reason: "terms_mismatch",
      detail: `charge ${CHARGE} is not in the recorded currency`,
    });
  });

  it("grants a session recorded and paid at a price of 0 without asking Stripe for refunds to take back", async () => {
    await recordCheckout(store, { priceCents: 0 });
    // The payment intent only: a request for its refunds would find no mock and fail.
    mockPaymentIntent(PI, null, 1, null);
    const outcome = await events.handle(
      event("checkout.session.completed", session({ amount_total: 0 })),
    );
    expect(outcome).toStrictEqual({ result: "granted", refundsTakenBack: 0, refundsGivenBack: 0 });
  });

  it("names a package no longer on sale by its id in the purchase", async () => {
    await recordCheckout(store, { packageId: "legacy" });
    mockPaymentIntent(PI);
    const legacy = { accountId: "9001", packageId: "legacy", credits: "500" };
    expect(
      await events.handle(event("checkout.session.completed", session({ metadata: legacy }))),
    ).toMatchObject({ result: "granted" });
    const [purchase] = await store.ledger.list(acme, { types: ["purchase"], limit: 10 });
    expect(purchase?.description).toBe("legacy package: 500 credits");
  });

  it("settles a refund's purchase first when its completion has not come: what that did, or why not", async () => {
    await recordCheckout(store);
    // Stripe holds the session, unpaid: nothing to settle, and the refund says why.
    mockSessionOfPayment(PI, session({ payment_status: "unpaid" }));
    expect(await events.handle(event("charge.refunded", charge()))).toStrictEqual({
      result: "ignored",
      reason: "not_paid",
      detail: `Checkout Session ${SESSION} is not paid`,
    });
    // Paid, and not refunded yet (a refund still pending): granted, nothing taken back.
    mockSessionOfPayment(PI, session());
    mockPaymentIntent(PI, null, 1, [
      { id: "re_1Pending", amount: 100, status: "pending", created: 1 },
    ]);
    expect(await events.handle(event("charge.refunded", charge()))).toStrictEqual({
      result: "granted",
      refundsTakenBack: 0,
      refundsGivenBack: 0,
    });
  });

  it("says a refund that came before its completion took credits back", async () => {
    await recordCheckout(store);
    mockSessionOfPayment(PI, session());
    mockPaymentIntent(PI, null, 1, [
      { id: "re_1Jasper", amount: 12250, status: "succeeded", created: 1 },
    ]);
    expect(await events.handle(event("charge.refunded", charge()))).toStrictEqual({
      result: "taken_back",
      refundsTakenBack: 1,
      refundsGivenBack: 0,
    });
  });

  it("says a refund that failed after it was taken back gave the credits back", async () => {
    await recordCheckout(store);
    mockSessionOfPayment(PI, session());
    mockPaymentIntent(PI, null, 1, [
      { id: "re_1Jasper", amount: 12250, status: "succeeded", created: 1 },
    ]);
    await events.handle(event("charge.refunded", charge()));
    nock(STRIPE_API)
      .get(`/v1/charges/${CHARGE}`)
      .reply(200, { ...charge(), amount_refunded: 0 });
    mockRefundList({ paymentIntent: PI, charge: CHARGE }, [
      { id: "re_1Jasper", amount: 12250, status: "failed", created: 1 },
    ]);
    // These events have no audit log to write to (it is optional): giving back needs none.
    const failed = refundObject(
      { paymentIntent: PI, charge: CHARGE },
      { id: "re_1Jasper", amount: 12250, status: "failed", created: 1 },
    );
    expect(await events.handle(event("refund.updated", failed))).toStrictEqual({
      result: "given_back",
      refundsTakenBack: 0,
      refundsGivenBack: 1,
    });
  });
});
