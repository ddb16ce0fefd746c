/**
 * The Stripe Customer of an account, made once and kept (stripe-customer-store.ts). Saved
 * cards, off-session top-ups and subscriptions all hang off it, so each account must have
 * exactly one: two requests that both find none send Stripe the same idempotency key, get the
 * same customer back, and the store's unique index lets one record in and hands the other
 * that record.
 *
 * Stripe keeps an idempotency key for at least 24 hours. A customer whose recording failed
 * (a database outage right after Stripe answered) is found again by any retry in that time;
 * one after that makes a new customer, and the first stays unused in Stripe, holding nothing.
 */
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import type { StripeCustomerRecord, StripeCustomerStore } from "./stripe-customer-store.js";

export interface StripeCustomersDeps {
  /** null when STRIPE_SECRET_KEY is unset: nothing can be saved or paid off-session then. */
  stripe: Stripe | null;
  store: Pick<StripeCustomerStore, "find" | "record">;
  now?: () => Date;
}

export type EnsureCustomerResult =
  { status: "ready"; customer: StripeCustomerRecord } | { status: "unavailable" };

/** The key every creation of the account's customer sends Stripe: one customer per account. */
export const customerIdempotencyKey = (accountId: AccountId) => `jasper-customer:${accountId}`;

/** Stripe's Customer ids; anything else in an answer is a Stripe change or a wrong server. */
const CUSTOMER_ID = /^cus_[A-Za-z0-9]{1,250}$/;

export function createStripeCustomers(deps: StripeCustomersDeps) {
  const now = deps.now ?? (() => new Date());

  /**
   * The account's customer, created at Stripe and recorded when it has none. Stripe's own
   * failures are thrown (Stripe.errors.StripeError), and so is a store failure; either way
   * nothing is half-made that a retry does not finish.
   */
  async function ensure(accountId: AccountId): Promise<EnsureCustomerResult> {
    const existing = await deps.store.find(accountId);
    if (existing) return { status: "ready", customer: existing };
    if (!deps.stripe) return { status: "unavailable" };

    // Only what never changes for the account: Stripe refuses a reused key with other
    // parameters, so a login (which can be renamed) stays out of it.
    const customer = await deps.stripe.customers.create(
      {
        description: `Jasper account ${accountId}`,
        metadata: { jasperAccountId: String(accountId) },
      },
      { idempotencyKey: customerIdempotencyKey(accountId) },
    );
    if (customer.object !== "customer" || !CUSTOMER_ID.test(customer.id)) {
      throw new Error("Stripe answered the customer creation with something else");
    }
    const recorded = await deps.store.record({
      accountId,
      customerId: customer.id,
      createdAt: now(),
    });
    if (recorded.status === "conflict") {
      // Another account holds this customer: never share one, whoever is wrong.
      throw new Error(`Stripe customer ${customer.id} is recorded for another account`);
    }
    return { status: "ready", customer: recorded.record };
  }

  return { ensure, find: (accountId: AccountId) => deps.store.find(accountId) };
}

export type StripeCustomers = ReturnType<typeof createStripeCustomers>;
