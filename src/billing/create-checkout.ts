/**
 * Starts a purchase: a Stripe Checkout Session for one credit package, recorded in the
 * checkout session store. Nothing is granted here; credits arrive only from Stripe's signed
 * webhook once the payment is made (stripe-events.ts), and only for a session recorded here,
 * so an abandoned or failed checkout costs nothing to undo.
 */
import type Stripe from "stripe";
import { toAccountId } from "../accounts/types.js";
import type { CheckoutSessionStore, NewCheckoutRecord } from "./checkout-session-store.js";
import { checkoutCurrency } from "./checkout-currency.js";
import { checkoutMetadata } from "./checkout-metadata.js";
import { checkoutTaxParams } from "./checkout-tax.js";
import { DEFAULT_CURRENCY, type Currency } from "./currency.js";
import { findPackage, priceIn, type CreditPackage } from "./packages.js";
import type { StripeCustomers } from "./stripe-customers.js";

/** What a card setup (which charges nothing) and an account that never paid are priced in. */
export const CHECKOUT_CURRENCY = DEFAULT_CURRENCY;

export interface CreateCheckoutDeps {
  /** null when STRIPE_SECRET_KEY is unset: checkout is then unavailable, nothing else is. */
  stripe: Stripe | null;
  /** Where each session Jasper creates is recorded; the webhook grants only those. */
  sessions: Pick<CheckoutSessionStore, "record">;
  /** PUBLIC_URL: Stripe sends the buyer back to its /billing page (a trailing / is fine). */
  publicUrl: string;
  packages: readonly CreditPackage[];
  /**
   * The account's one Stripe customer, made once (stripe-customers.ts): the session is for
   * it, so the purchase's invoice is the stored customer's, which is how Stripe's invoice
   * events are matched to the account (invoice-events.ts). Without a customer, Checkout
   * would make a new one for each invoiced purchase.
   */
  customers: Pick<StripeCustomers, "ensure">;
  /** STRIPE_AUTOMATIC_TAX: Stripe Tax, with address and tax ID collected (checkout-tax.ts). */
  automaticTax?: boolean;
  /** The account's billing currency, once its first payment fixed it (null before). */
  billingCurrency?: (accountId: number) => Promise<string | null>;
  now?: () => Date;
}

export interface CheckoutInput {
  accountId: number;
  accountLogin: string;
  packageId: string;
  /**
   * What the buyer asked to pay in; absent: the account's billing currency, or USD before
   * its first payment. Another currency than the fixed one is refused.
   */
  currency?: Currency | undefined;
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
  /** The account pays in `fixed` since its first payment; nothing was created. */
  | { status: "currency_fixed"; fixed: string }
  | { status: "unavailable" };

/**
 * Stripe's own failures (network, auth, a reused key with other parameters) are thrown as
 * Stripe.errors.StripeError; the API route answers those with a 502. A failure to record the
 * session is thrown too (a 500), and then no URL is handed out.
 */
export function createCheckout(deps: CreateCheckoutDeps) {
  const base = deps.publicUrl.replace(/\/+$/, "");
  const now = deps.now ?? (() => new Date());

  return async (input: CheckoutInput): Promise<CheckoutResult> => {
    const pkg = findPackage(deps.packages, input.packageId);
    if (!pkg) return { status: "unknown_package" };
    const fixed = (await deps.billingCurrency?.(input.accountId)) ?? null;
    const priced = checkoutCurrency(fixed, input.currency);
    if (priced.status !== "priced") return priced;
    const { currency } = priced;
    if (!deps.stripe) return { status: "unavailable" };
    const customer = await deps.customers.ensure(toAccountId(input.accountId));
    if (customer.status !== "ready") return { status: "unavailable" };
    const priceCents = priceIn(pkg, currency);

    // On the session for checkout.session.* events, and on the PaymentIntent because
    // Stripe copies that onto the Charge (a label in the dashboard; never what is granted).
    const metadata = checkoutMetadata(input.accountId, pkg);
    const title = `Jasper ${pkg.name}: ${pkg.credits} review credits`;
    const account = `${base}/billing/${encodeURIComponent(input.accountLogin)}`;
    const session = await deps.stripe.checkout.sessions.create(
      {
        mode: "payment",
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency,
              unit_amount: priceCents,
              product_data: { name: title, description: pkg.description },
            },
          },
        ],
        client_reference_id: String(input.accountId),
        customer: customer.customer.customerId,
        // Every purchase gets a Stripe invoice (number, tax, PDF) for the buyer's books; its
        // events keep it in Jasper's invoice list.
        invoice_creation: { enabled: true },
        ...checkoutTaxParams(deps.automaticTax ?? false),
        metadata,
        payment_intent_data: {
          metadata,
          // Shown in the Stripe dashboard and on the receipt: which organization paid.
          description: `${title} for ${input.accountLogin}`,
        },
        // Back to the account's own Billing page. {CHECKOUT_SESSION_ID} is filled in by
        // Stripe, so it stays unencoded here.
        success_url: `${account}?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${account}?checkout=cancelled`,
      },
      { idempotencyKey: input.requestKey },
    );
    // A hosted-page session always has a url; a null one would be a Stripe API change.
    if (!session.url)
      throw new Error(`Stripe returned Checkout Session ${session.id} without a url`);

    // Recorded after Stripe answers (the session id is only known then) and before the URL
    // is handed out. The URL is the only way to pay, so a session whose recording fails
    // (this throws) can never be paid: nobody has its URL, and Stripe expires it after 24
    // hours. The session is deliberately not expired here: a client retrying with the same
    // Idempotency-Key gets Stripe's saved answer, this very session, and recording it then
    // succeeds; had it been expired, that retry would hand out a dead link.
    const terms: NewCheckoutRecord = {
      sessionId: session.id,
      accountId: toAccountId(input.accountId),
      packageId: pkg.id,
      credits: pkg.credits,
      priceCents,
      currency,
      createdAt: now(),
    };
    const recorded = await deps.sessions.record(terms);
    if (recorded.status === "exists" && !sameTerms(recorded.record, terms)) {
      // Stripe refuses a reused idempotency key with other parameters, so this is a bug or
      // tampering: do not hand out a URL whose payment would be granted on other terms.
      throw new Error(`Checkout Session ${session.id} is already recorded with other terms`);
    }
    return { status: "created", url: session.url, sessionId: session.id };
  };
}

function sameTerms(a: NewCheckoutRecord, b: NewCheckoutRecord): boolean {
  return (
    a.accountId === b.accountId &&
    a.packageId === b.packageId &&
    a.credits === b.credits &&
    a.priceCents === b.priceCents &&
    a.currency === b.currency
  );
}
