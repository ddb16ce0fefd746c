import { beforeEach, describe, expect, it } from "@jest/globals";
import type Stripe from "stripe";
import { toAccountId, type AccountId } from "../../src/accounts/types.js";
import { createAuditLog } from "../../src/audit/audit-log.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import {
  createTopUpPaymentEvents,
  type TopUpPaymentEvents,
} from "../../src/billing/top-up-payment-events.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { growthAttempt, topUpIntent } from "../support/top-up-fixtures.js";

/**
 * A PaymentIntent event that is not the payment of one of Jasper's top-up attempts, on the
 * attempt's terms, grants nothing and settles nothing. It is answered 200 all the same, so what
 * an operator has to go on is the outcome's reason (terms_mismatch is logged at error) and its
 * detail (the ids and the check that failed). Each way of refusing one is shown here, with the
 * reason and the detail it gives, and with nothing written for anyone.
 */
const acme = toAccountId(9001);
const other = toAccountId(9002);
/** An account whose attempt was recorded but that has no Stripe customer stored. */
const bare = toAccountId(9003);
const CUSTOMER = "cus_TAcme9001";
const OTHER_CUSTOMER = "cus_TOther9002";
const KEY = "auto-top-up:9001:entry-1";
const PI = "pi_3TopUp9001a";
const T0 = new Date("2026-11-20T10:00:00Z");

/** Acme's Growth top-up intent ($122.50 by Acme's customer, naming KEY), paid. */
const intent = (id = PI, over: Partial<Stripe.PaymentIntent> = {}) =>
  topUpIntent(id, { customer: CUSTOMER, amount: 12250, attemptKey: KEY }, over);

/** The same intent as payment_intent.payment_failed carries it: the card was declined. */
const declinedIntent = (id = PI) =>
  intent(id, {
    status: "requires_payment_method",
    amount_received: 0,
    last_payment_error: {
      type: "card_error",
      code: "card_declined",
      decline_code: "insufficient_funds",
    } as Stripe.PaymentIntent.LastPaymentError,
  });

const mismatch = (detail: string) => ({ result: "ignored", reason: "terms_mismatch", detail });

describe("top-up payment events: why one changed nothing", () => {
  let store: Store;
  let ledger: Ledger;
  let events: TopUpPaymentEvents;
  let notPaid: string[];

  beforeEach(async () => {
    store = createMemoryStore();
    ledger = new Ledger({ store: store.ledger, freePerMonth: 0 });
    notPaid = [];
    for (const [accountId, customerId] of [
      [acme, CUSTOMER],
      [other, OTHER_CUSTOMER],
    ] as const) {
      await store.stripeCustomers.record({ accountId, customerId, createdAt: T0 });
    }
    events = createTopUpPaymentEvents({
      ledger,
      attempts: store.topUpAttempts,
      customers: store.stripeCustomers,
      packages: DEFAULT_PACKAGES,
      audit: createAuditLog({ store: store.audit }),
      onNotPaid: async (attempt, outcome) => void notPaid.push(`${attempt.attemptKey}:${outcome}`),
    });
  });

  /** Records acme's Growth attempt KEY, as paid by `customerId`, linked to `paymentIntent`. */
  async function attempt(
    options: { customerId?: string; paymentIntent?: string; accountId?: AccountId } = {},
  ) {
    const accountId = options.accountId ?? acme;
    const begun = await store.topUpAttempts.begin(
      growthAttempt(accountId, KEY, T0, options.customerId ?? CUSTOMER),
    );
    expect(begun.status).toBe("begun");
    if (options.paymentIntent) {
      expect(
        await store.topUpAttempts.linkPaymentIntent(accountId, KEY, options.paymentIntent),
      ).toBe(true);
    }
  }

  /** No credits for anyone, no attempt settled, no follow-up of a decline. */
  async function nothingChanged(accountId: AccountId = acme) {
    for (const account of [acme, other, bare]) {
      expect((await ledger.list(account, { limit: 10 })).entries).toStrictEqual([]);
    }
    expect(await store.topUpAttempts.find(accountId, KEY)).toMatchObject({
      state: "in_flight",
      outcome: null,
    });
    expect(notPaid).toStrictEqual([]);
  }

  it("calls a payment of a customer Jasper does not know, naming no attempt, not ours", async () => {
    await attempt({ paymentIntent: PI });
    const foreign = { customer: "cus_Foreign" };
    const notOurs = (id: string) => ({
      result: "ignored",
      reason: "not_ours",
      detail: `payment intent ${id} is not the payment of a recorded top-up attempt`,
    });
    expect(
      await events.succeeded(intent("pi_3Foreign", { ...foreign, metadata: {} })),
    ).toStrictEqual(notOurs("pi_3Foreign"));
    // An intent whose event carries no metadata at all is just as foreign (the schema lets it
    // through), not an error that Stripe would redeliver for days.
    expect(
      await events.succeeded(intent("pi_3NoMetadata", { ...foreign, metadata: undefined })),
    ).toStrictEqual(notOurs("pi_3NoMetadata"));
    // Its failure is no top-up's either: nothing is settled as declined.
    expect(await events.failed(intent("pi_3Foreign", { ...foreign, metadata: {} }))).toStrictEqual(
      notOurs("pi_3Foreign"),
    );
    await nothingChanged();
  });

  it("refuses, for an operator, a payment naming an attempt whose customer Jasper does not know", async () => {
    await attempt();
    // Acme's attempt key in the metadata (which anyone with access to the Stripe account can
    // write), paid by a customer no account has, or by a guest without any customer.
    for (const customer of ["cus_Foreign", null]) {
      expect(await events.succeeded(intent("pi_3Named", { customer }))).toStrictEqual(
        mismatch("payment intent pi_3Named is not the payment of a recorded top-up attempt"),
      );
    }
    await nothingChanged();
  });

  it("refuses an unlinked intent on other terms, and keeps the link free for the real one", async () => {
    await attempt();
    const forged = intent("pi_3Forged", { amount: 50, amount_received: 50 });
    expect(await events.succeeded(forged)).toStrictEqual(
      mismatch("payment intent pi_3Forged: amount is not the attempt's price"),
    );
    await nothingChanged();
    expect(await store.topUpAttempts.find(acme, KEY)).toMatchObject({ paymentIntent: null });
  });

  it("refuses a second intent on the attempt's terms once another is linked to it", async () => {
    // The job's own intent is linked; another one carries the same key, amount and customer.
    await attempt({ paymentIntent: PI });
    const detail = `payment intent pi_3Second: attempt ${KEY} has another payment`;
    expect(await events.succeeded(intent("pi_3Second"))).toStrictEqual(mismatch(detail));
    // Its decline must not settle the attempt whose own intent may still be paid.
    expect(await events.failed(declinedIntent("pi_3Second"))).toStrictEqual(mismatch(detail));
    await nothingChanged();
    expect(await store.topUpAttempts.find(acme, KEY)).toMatchObject({ paymentIntent: PI });
    expect(await store.topUpAttempts.findByPaymentIntentAcrossAccounts("pi_3Second")).toBeNull();
    // The linked intent is still the attempt's payment.
    expect(await events.succeeded(intent())).toStrictEqual({ result: "top_up_granted" });
  });

  it("refuses the linked intent when Stripe's object is on other terms", async () => {
    await attempt({ paymentIntent: PI });
    expect(await events.succeeded(intent(PI, { currency: "eur" }))).toStrictEqual(
      mismatch(`payment intent ${PI}: currency is not the attempt's currency`),
    );
    await nothingChanged();
  });

  it("refuses an intent of the account's customer when the attempt recorded another one", async () => {
    // The attempt names the other account's customer, the intent Acme's own: not the payment
    // the attempt recorded, however much the stored customer matches.
    await attempt({ customerId: OTHER_CUSTOMER, paymentIntent: PI });
    expect(await events.succeeded(intent())).toStrictEqual(
      mismatch(`payment intent ${PI}: customer is not the attempt's customer`),
    );
    await nothingChanged();
  });

  it("refuses the payment of a customer that is not the account's, even when the attempt names it", async () => {
    // An attempt of Acme recorded with the other account's customer, paid by that customer:
    // crediting Acme would credit it with another account's money.
    await attempt({ customerId: OTHER_CUSTOMER, paymentIntent: PI });
    const paidByOther = intent(PI, { customer: OTHER_CUSTOMER });
    const detail = `payment intent ${PI}: customer is not the account's stored customer`;
    expect(await events.succeeded(paidByOther)).toStrictEqual(mismatch(detail));
    await nothingChanged();
  });

  it("refuses the payment of an attempt whose account has no customer stored, without failing", async () => {
    await attempt({ accountId: bare, customerId: "cus_TBare9003", paymentIntent: PI });
    const paid = intent(PI, { customer: "cus_TBare9003" });
    expect(await events.succeeded(paid)).toStrictEqual(
      mismatch(`payment intent ${PI}: customer is not the account's stored customer`),
    );
    await nothingChanged(bare);
  });

  it("names the fields of an object that is not a PaymentIntent, for either event", async () => {
    await attempt({ paymentIntent: PI });
    const malformed = {
      result: "ignored",
      reason: "malformed",
      detail: "not a PaymentIntent: status, amount, currency, customer",
    };
    expect(await events.succeeded({ id: PI, object: "payment_intent" })).toStrictEqual(malformed);
    expect(await events.failed({ id: PI, object: "payment_intent" })).toStrictEqual(malformed);
    await nothingChanged();
  });

  it("refuses an intent that is not fully paid, judged by its status when the amount received is absent", async () => {
    await attempt({ paymentIntent: PI });
    const notPaidYet = mismatch(`payment intent ${PI} is not fully paid`);
    expect(await events.succeeded(intent(PI, { amount_received: 100 }))).toStrictEqual(notPaidYet);
    // Still processing (no amount received in the object): only its status says so.
    const processing = intent(PI, { status: "processing", amount_received: undefined });
    expect(await events.succeeded(processing)).toStrictEqual(notPaidYet);
    await nothingChanged();
  });
});
