/**
 * What Stripe Tax (STRIPE_AUTOMATIC_TAX) adds to a Checkout Session, for the package checkout
 * (create-checkout.ts) and the subscription checkout alike. With it off, nothing is added, so
 * the request is exactly what it was before the setting existed.
 *
 * With it on, Stripe calculates tax from the buyer's location, so Checkout collects the
 * billing address, and the tax ID of a business. The session is for the account's existing
 * Stripe customer, and Stripe uses the customer's own address unless Checkout may write the
 * one entered there back onto it (`customer_update.address`); collecting a tax ID with an
 * existing customer needs `customer_update.name` as well (Stripe's Checkout Tax guide,
 * docs.stripe.com/tax/checkout). `customer_update` is allowed only with `customer` set.
 */
import type Stripe from "stripe";

export type CheckoutTaxParams = Pick<
  Stripe.Checkout.SessionCreateParams,
  "automatic_tax" | "billing_address_collection" | "tax_id_collection" | "customer_update"
>;

export function checkoutTaxParams(automaticTax: boolean): CheckoutTaxParams {
  if (!automaticTax) return {};
  return {
    automatic_tax: { enabled: true },
    billing_address_collection: "required",
    tax_id_collection: { enabled: true },
    customer_update: { address: "auto", name: "auto" },
  };
}
