/**
 * Starts a purchase: a Stripe Checkout Session for one credit package. Nothing is granted
 * here; credits arrive only from Stripe's signed webhook once the payment is made
 * (stripe-events.ts), so an abandoned or failed checkout costs nothing to undo.
 */
import type Stripe from "stripe";
import { checkoutMetadata } from "./checkout-metadata.js";
import { findPackage, type CreditPackage } from "./packages.js";

export interface CreateCheckoutDeps {
  /** null when STRIPE_SECRET_KEY is unset: checkout is then unavailable, nothing else is. */
  stripe: Stripe | null;
  /** PUBLIC_URL: Stripe sends the buyer back to its /billing page (a trailing / is fine). */
  publicUrl: string;
  packages: readonly CreditPackage[];
}

export interface CheckoutInput {
  accountId: number;
  accountLogin: string;
  packageId: string;
  /**
   * Sent to Stripe as the idempotency key. The caller derives it from the request (e.g. the
   * client's Idempotency-Key header and the account), so a retried request gets the same
   * session back instead of a second one. Stripe keeps keys for at least 24 hours and
   * refuses a reused key with different parameters.
   */
  requestKey: string;
}

export type CheckoutResult =
  | { status: "created"; url: string; sessionId: string }
  | { status: "unknown_package" }
  | { status: "unavailable" };

/**
 * Stripe's own failures (network, auth, a reused key with other parameters) are thrown as
 * Stripe.errors.StripeError; the API route answers those with a 502.
 */
export function createCheckout(deps: CreateCheckoutDeps) {
  const base = deps.publicUrl.replace(/\/+$/, "");

  return async (input: CheckoutInput): Promise<CheckoutResult> => {
    const pkg = findPackage(deps.packages, input.packageId);
    if (!pkg) return { status: "unknown_package" };
    if (!deps.stripe) return { status: "unavailable" };

    // On the session for checkout.session.* events, and on the PaymentIntent because
    // Stripe copies that onto the Charge, which is all charge.refunded carries.
    const metadata = checkoutMetadata(input.accountId, pkg);
    const title = `Jasper ${pkg.name}: ${pkg.credits} review credits`;
    const session = await deps.stripe.checkout.sessions.create(
      {
        mode: "payment",
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: "usd",
              unit_amount: pkg.priceCents,
              product_data: { name: title, description: pkg.description },
            },
          },
        ],
        client_reference_id: String(input.accountId),
        metadata,
        payment_intent_data: {
          metadata,
          // Shown in the Stripe dashboard and on the receipt: which organization paid.
          description: `${title} for ${input.accountLogin}`,
        },
        // {CHECKOUT_SESSION_ID} is filled in by Stripe, so it stays unencoded here.
        success_url: `${base}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${base}/billing?checkout=cancelled`,
      },
      { idempotencyKey: input.requestKey },
    );
    // A hosted-page session always has a url; a null one would be a Stripe API change.
    if (!session.url)
      throw new Error(`Stripe returned Checkout Session ${session.id} without a url`);
    return { status: "created", url: session.url, sessionId: session.id };
  };
}
