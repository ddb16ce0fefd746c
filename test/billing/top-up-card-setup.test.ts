import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { toAccountId, type AccountId } from "../../src/accounts/types.js";
import { createCardSetupEvents } from "../../src/billing/card-setup-events.js";
import type { SavedPaymentMethod } from "../../src/billing/stripe-customer-store.js";
import { MemoryStripeCustomerStore } from "../../src/store/memory/memory-stripe-customer-store.js";
import { STRIPE_API, testStripe } from "../support/stripe-test-kit.js";

/**
 * The card an automatic top-up charges comes only from a completed setup-mode Checkout
 * Session whose SetupIntent, as Stripe's API answers it, saved a card for off-session use on
 * the customer Jasper created for the account. Anything else (an unfinished setup, another
 * customer, no card, an answer of the wrong shape) is ignored with its reason and saves
 * nothing, and a setup older than the saved card never replaces it.
 */
const acme = toAccountId(101);
const CUSTOMER = "cus_TAcme101";
const OTHER_CUSTOMER = "cus_TGlobex202";
const SESSION = "cs_test_setup101";
const SETUP = "seti_1Acme101";
const CREATED = 1_796_205_500;

/** Stripe answers the expanded object whole; the tests give what Jasper reads and a little more. */
const expanded = <T>(partial: Partial<T>): T => partial as T;

/** The object without the field `key`, as Stripe sends an object lacking it. */
const omit = <T extends object>(object: T, key: keyof T): Partial<T> =>
  Object.fromEntries(Object.entries(object).filter(([k]) => k !== key)) as Partial<T>;

/** A setup-mode Checkout Session as checkout.session.completed carries it (stripe-node 23). */
const setupSession = (over: Partial<Stripe.Checkout.Session> = {}) =>
  ({
    id: SESSION,
    object: "checkout.session",
    mode: "setup",
    status: "complete",
    payment_status: "no_payment_required",
    amount_total: null,
    currency: "usd",
    customer: CUSTOMER,
    setup_intent: SETUP,
    client_reference_id: "101",
    livemode: false,
    metadata: { jasperAccountId: "101", purpose: "jasper_auto_top_up_card" },
    url: null,
    ...over,
  }) satisfies Partial<Stripe.Checkout.Session>;

const visa = () =>
  expanded<Stripe.PaymentMethod.Card>({
    brand: "visa",
    last4: "4242",
    exp_month: 12,
    exp_year: 2030,
    funding: "credit",
    country: "US",
  });

/** The SetupIntent's payment method, expanded: a Visa card on Acme's customer by default. */
const paymentMethod = (over: Partial<Stripe.PaymentMethod> = {}) =>
  expanded<Stripe.PaymentMethod>({
    id: "pm_1Visa101",
    object: "payment_method",
    type: "card",
    customer: CUSTOMER,
    created: CREATED,
    livemode: false,
    card: visa(),
    ...over,
  });

/** The SetupIntent as GET /v1/setup_intents/:id?expand[]=payment_method answers it. */
const setupIntent = (over: Partial<Stripe.SetupIntent> = {}) =>
  ({
    id: SETUP,
    object: "setup_intent",
    status: "succeeded",
    usage: "off_session",
    created: CREATED,
    customer: CUSTOMER,
    livemode: false,
    payment_method: paymentMethod(),
    payment_method_types: ["card"],
    ...over,
  }) satisfies Partial<Stripe.SetupIntent>;

/** Stripe's API answers the SetupIntent once, with `answer`. */
const stripeAnswers = (answer: object) =>
  nock(STRIPE_API)
    .get(`/v1/setup_intents/${SETUP}`)
    .query({ "expand[0]": "payment_method" })
    .reply(200, answer);

const SAVED: SavedPaymentMethod = {
  id: "pm_1Visa101",
  brand: "visa",
  last4: "4242",
  savedAt: new Date(CREATED * 1000),
};

describe("a completed card setup", () => {
  let store: MemoryStripeCustomerStore;
  let calls: Array<[AccountId, SavedPaymentMethod, string]>;
  let setupCompleted: (object: unknown) => Promise<unknown>;
  beforeEach(async () => {
    nock.disableNetConnect();
    store = new MemoryStripeCustomerStore();
    const at = new Date("2026-12-01T09:00:00Z");
    await store.record({ accountId: acme, customerId: CUSTOMER, createdAt: at });
    // Another account's customer, which Jasper also made: still not Acme's.
    await store.record({ accountId: toAccountId(202), customerId: OTHER_CUSTOMER, createdAt: at });
    calls = [];
    setupCompleted = createCardSetupEvents({
      stripe: testStripe(),
      customers: store,
      onSaved: async (...args) => {
        calls.push(args);
      },
    });
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  /** Ignored for `reason` with `detail`, and no card saved or announced. */
  async function expectIgnored(object: unknown, reason: string, detail: string) {
    expect(await setupCompleted(object)).toStrictEqual({ result: "ignored", reason, detail });
    expect((await store.find(acme))?.paymentMethod).toBeNull();
    expect(calls).toStrictEqual([]);
  }

  it("saves the card whether Stripe sends the related objects by id or expanded", async () => {
    stripeAnswers(
      setupIntent({ customer: expanded<Stripe.Customer>({ id: CUSTOMER, object: "customer" }) }),
    );
    const session = setupSession({
      customer: expanded<Stripe.Customer>({ id: CUSTOMER, object: "customer" }),
      setup_intent: expanded<Stripe.SetupIntent>({ id: SETUP, object: "setup_intent" }),
    });
    expect(await setupCompleted(session)).toStrictEqual({ result: "card_saved" });
    expect((await store.find(acme))?.paymentMethod).toStrictEqual(SAVED);
    expect(calls).toStrictEqual([[acme, SAVED, SETUP]]);
  });

  it("saves the card without an onSaved callback", async () => {
    stripeAnswers(setupIntent());
    const plain = createCardSetupEvents({ stripe: testStripe(), customers: store });
    expect(await plain(setupSession())).toStrictEqual({ result: "card_saved" });
    expect((await store.find(acme))?.paymentMethod).toStrictEqual(SAVED);
  });

  it("ignores what is not a setup Checkout Session, without asking Stripe", async () => {
    await expectIgnored(
      setupSession({ mode: "payment" }),
      "malformed",
      "not a setup Checkout Session: mode",
    );
    await expectIgnored(
      { ...omit(setupSession(), "setup_intent"), id: "" },
      "malformed",
      "not a setup Checkout Session: id, setup_intent",
    );
  });

  it.each(["open", "expired"] as const)(
    "ignores a setup session that is %s, without asking Stripe",
    async (status) => {
      await expectIgnored(
        setupSession({ status }),
        "not_paid",
        `setup Checkout Session ${SESSION} is not complete`,
      );
    },
  );

  it("ignores a setup session of a customer Jasper did not make, or of another account's", async () => {
    await expectIgnored(
      setupSession({ customer: "cus_Stranger" }),
      "not_ours",
      `setup Checkout Session ${SESSION} is for no customer of Jasper's`,
    );
    await expectIgnored(
      setupSession({ customer: OTHER_CUSTOMER }),
      "terms_mismatch",
      `setup Checkout Session ${SESSION}: client_reference_id is not the customer's account`,
    );
  });

  it("ignores a setup session without a SetupIntent, without asking Stripe", async () => {
    await expectIgnored(
      setupSession({ setup_intent: null }),
      "malformed",
      `setup Checkout Session ${SESSION} has no SetupIntent`,
    );
  });

  const noCard = omit(paymentMethod(), "card");
  const malformedAnswers: Array<[string, object, string]> = [
    ["not a SetupIntent", { ...setupIntent(), object: "payment_intent" }, "object"],
    ["without its creation time", { ...setupIntent(), created: undefined }, "created"],
    [
      "with five last digits",
      setupIntent({ payment_method: paymentMethod({ card: { ...visa(), last4: "42424" } }) }),
      "payment_method.card.last4",
    ],
    [
      "with last digits after other text",
      setupIntent({ payment_method: paymentMethod({ card: { ...visa(), last4: "x4242" } }) }),
      "payment_method.card.last4",
    ],
    [
      "with its payment method not expanded",
      setupIntent({ payment_method: "pm_1Visa101" }),
      "payment_method",
    ],
    [
      "with a card of no brand",
      setupIntent({ payment_method: paymentMethod({ card: { ...visa(), brand: "" } }) }),
      "payment_method.card.brand",
    ],
  ];
  it.each(malformedAnswers)(
    "ignores a SetupIntent Stripe answers %s",
    async (_what, answer, fields) => {
      stripeAnswers(answer);
      await expectIgnored(setupSession(), "malformed", `SetupIntent ${SETUP}: ${fields}`);
    },
  );

  it.each([
    ["that did not succeed", { status: "requires_payment_method" }],
    ["still processing", { status: "processing" }],
    ["for on-session use only", { usage: "on_session" }],
  ] as const)("ignores a SetupIntent %s", async (_what, over) => {
    stripeAnswers(setupIntent(over));
    await expectIgnored(
      setupSession(),
      "not_paid",
      `SetupIntent ${SETUP} did not save a card for later`,
    );
  });

  it.each([
    ["of another account's customer", { customer: OTHER_CUSTOMER }],
    ["of no customer", { customer: null }],
    ["without a payment method", { payment_method: null }],
    [
      "whose card is another account's customer's",
      { payment_method: paymentMethod({ customer: OTHER_CUSTOMER }) },
    ],
    ["whose card is on no customer", { payment_method: paymentMethod({ customer: null }) }],
  ] as const)("ignores a SetupIntent %s", async (_what, over) => {
    stripeAnswers(setupIntent(over));
    await expectIgnored(
      setupSession(),
      "terms_mismatch",
      `SetupIntent ${SETUP} is not for the session's customer`,
    );
  });

  it.each([
    ["a bank account", { ...noCard, type: "sepa_debit" }],
    // Card details on a method that is not a card are not a card Jasper may charge.
    ["a Link method with card details", { ...noCard, type: "link", card: visa() }],
    ["a card method without its card", noCard],
  ] as const)("ignores a SetupIntent that saved %s", async (_what, method) => {
    stripeAnswers(setupIntent({ payment_method: expanded<Stripe.PaymentMethod>(method) }));
    await expectIgnored(setupSession(), "terms_mismatch", `SetupIntent ${SETUP} saved no card`);
  });

  it("saves nothing when the account's customer record is gone by the time it saves", async () => {
    // Found by the customer, then gone (or another) when the card is saved on it.
    const gone = new MemoryStripeCustomerStore();
    const events = createCardSetupEvents({
      stripe: testStripe(),
      customers: {
        findByCustomerAcrossAccounts: (id) => store.findByCustomerAcrossAccounts(id),
        savePaymentMethod: (...args) => gone.savePaymentMethod(...args),
      },
      onSaved: async (...args) => {
        calls.push(args);
      },
    });
    stripeAnswers(setupIntent());
    expect(await events(setupSession())).toStrictEqual({
      result: "ignored",
      reason: "not_ours",
      detail: `customer ${CUSTOMER} is no longer the account's`,
    });
    expect(await gone.find(acme)).toBeNull();
    expect((await store.find(acme))?.paymentMethod).toBeNull();
    expect(calls).toStrictEqual([]);
  });

  it("keeps a card saved since: an older setup delivered late replaces nothing", async () => {
    const newer: SavedPaymentMethod = {
      id: "pm_2Mastercard101",
      brand: "mastercard",
      last4: "4444",
      savedAt: new Date((CREATED + 60) * 1000),
    };
    await store.savePaymentMethod(acme, CUSTOMER, newer);
    stripeAnswers(setupIntent());
    expect(await setupCompleted(setupSession())).toStrictEqual({ result: "card_outdated" });
    expect((await store.find(acme))?.paymentMethod).toStrictEqual(newer);
    expect(calls).toStrictEqual([]);
  });
});
