/**
 * What the automatic top-up tests share: a PaymentIntent in stripe-node 23's shape (API
 * 2026-10-28), an attempt of the Growth package, and an account with a saved card.
 */
import type Stripe from "stripe";
import type { AccountId } from "../../src/accounts/types.js";
import type { AutoTopUpSettings } from "../../src/billing/auto-top-up-store.js";
import type { NewTopUpAttempt } from "../../src/billing/top-up-attempt-store.js";
import { ATTEMPT_METADATA_KEY } from "../../src/billing/top-up-payment-events.js";
import type { Store } from "../../src/store/store.js";

/** A PaymentIntent as Stripe answers its creation or sends it in an event: paid by default. */
export const topUpIntent = (
  id: string,
  terms: { customer: string; amount: number; attemptKey?: string },
  over: Partial<Stripe.PaymentIntent> = {},
) =>
  ({
    id,
    object: "payment_intent",
    amount: terms.amount,
    amount_received: terms.amount,
    currency: "usd",
    customer: terms.customer,
    payment_method: "pm_1Visa9001",
    confirmation_method: "automatic",
    capture_method: "automatic_async",
    created: 1_796_205_600,
    last_payment_error: null,
    livemode: false,
    metadata: terms.attemptKey ? { [ATTEMPT_METADATA_KEY]: terms.attemptKey } : {},
    status: "succeeded",
    ...over,
  }) satisfies Partial<Stripe.PaymentIntent>;

/** Auto top-up on for Growth at 10 credits, three top-ups and $500 a month. */
export const GROWTH_SETTINGS = {
  enabled: true,
  packageId: "growth",
  thresholdCredits: 10,
  monthlyMaxCount: 3,
  monthlyMaxCents: 50_000,
} as const satisfies AutoTopUpSettings;

/** An attempt of the Growth package (500 credits, $122.50) with the account's saved card. */
export const growthAttempt = (
  accountId: AccountId,
  attemptKey: string,
  createdAt: Date,
  customerId = "cus_TAcme9001",
): NewTopUpAttempt => ({
  attemptKey,
  accountId,
  packageId: "growth",
  credits: 500,
  priceCents: 12250,
  currency: "usd",
  customerId,
  paymentMethodId: "pm_1Visa9001",
  createdAt,
});

/** The account's Stripe customer with a Visa card saved, as the setup's completion records it. */
export async function saveCard(
  store: Pick<Store, "stripeCustomers">,
  accountId: AccountId,
  customerId: string,
  at: Date,
): Promise<void> {
  await store.stripeCustomers.record({ accountId, customerId, createdAt: at });
  await store.stripeCustomers.savePaymentMethod(accountId, customerId, {
    id: "pm_1Visa9001",
    brand: "visa",
    last4: "4242",
    savedAt: at,
  });
}
