/**
 * Subscribing to a plan: a Stripe Checkout Session in subscription mode for the account's one
 * customer (stripe-customers.ts), at the plan's price for the interval, on the plan's product
 * (plan-products.ts). Nothing changes in Jasper here: the subscription is recorded, and its
 * first month granted, only from Stripe's signed events (subscription-events.ts) once the
 * first invoice is paid. An abandoned checkout costs nothing to undo.
 */
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import { PLAN_HOLDING_STATUSES } from "./billing-status.js";
import { checkoutCurrency } from "./checkout-currency.js";
import { checkoutTaxParams } from "./checkout-tax.js";
import type { Currency } from "./currency.js";
import { ensurePlanProduct, isStripeUnavailable } from "./plan-products.js";
import { findPlan, FREE_PLAN_ID, priceOf, type Plan, type PlanInterval } from "./plans.js";
import type { StripeCustomers } from "./stripe-customers.js";
import type { SubscriptionStore } from "./subscription-store.js";

export interface SubscriptionCheckoutDeps {
  /** null when STRIPE_SECRET_KEY is unset: subscribing is unavailable then. */
  stripe: Stripe | null;
  customers: Pick<StripeCustomers, "ensure">;
  subscriptions: Pick<SubscriptionStore, "findByAccount">;
  /** The plan catalog (Free first, planCatalog). */
  plans: readonly Plan[];
  /** PUBLIC_URL: Stripe sends the admin back to the account's /billing page. */
  publicUrl: string;
  /** STRIPE_AUTOMATIC_TAX: Stripe Tax, with address and tax ID collected (checkout-tax.ts). */
  automaticTax?: boolean;
  /** The account's billing currency, once its first payment fixed it (null before). */
  billingCurrency?: (accountId: AccountId) => Promise<string | null>;
}

export interface SubscriptionCheckoutInput {
  accountId: AccountId;
  accountLogin: string;
  plan: string;
  interval: PlanInterval;
  /**
   * What to pay in; absent: the account's billing currency, or USD before its first payment.
   * Another currency than the fixed one is refused, as for a package (checkout-currency.ts).
   */
  currency?: Currency | undefined;
  /** Stripe's idempotency key for the session: a retried request gets the same session. */
  requestKey: string;
}

export type SubscriptionCheckoutResult =
  | { status: "created"; url: string; sessionId: string; plan: Plan }
  /** No such paid plan (Free is no subscription). */
  | { status: "unknown_plan" }
  /** The account holds a subscription already: change it instead (no second one). */
  | { status: "already_subscribed"; subscriptionId: string }
  /** The account pays in `fixed` since its first payment; nothing was made. */
  | { status: "currency_fixed"; fixed: string }
  /** Stripe is not set up, or could not be reached: nothing was made. */
  | { status: "unavailable" };

/** Marks a subscription checkout as Jasper's in the Stripe dashboard; never what is granted by. */
export const SUBSCRIPTION_PURPOSE = "jasper_plan_subscription";

export function createSubscriptionCheckout(deps: SubscriptionCheckoutDeps) {
  const base = deps.publicUrl.replace(/\/+$/, "");

  return async (input: SubscriptionCheckoutInput): Promise<SubscriptionCheckoutResult> => {
    const plan = input.plan === FREE_PLAN_ID ? undefined : findPlan(deps.plans, input.plan);
    if (!plan) return { status: "unknown_plan" };
    const held = await deps.subscriptions.findByAccount(input.accountId);
    if (held && PLAN_HOLDING_STATUSES.includes(held.status)) {
      return { status: "already_subscribed", subscriptionId: held.subscriptionId };
    }
    const fixed = (await deps.billingCurrency?.(input.accountId)) ?? null;
    const priced = checkoutCurrency(fixed, input.currency);
    if (priced.status !== "priced") return priced;
    const { currency } = priced;
    if (!deps.stripe) return { status: "unavailable" };
    const stripe = deps.stripe;
    try {
      const ensured = await deps.customers.ensure(input.accountId);
      if (ensured.status !== "ready") return { status: "unavailable" };
      const product = await ensurePlanProduct(stripe, plan);
      const metadata = {
        jasperAccountId: String(input.accountId),
        plan: plan.id,
        purpose: SUBSCRIPTION_PURPOSE,
      };
      const page = `${base}/billing/${encodeURIComponent(input.accountLogin)}`;
      const session = await stripe.checkout.sessions.create(
        {
          mode: "subscription",
          customer: ensured.customer.customerId,
          client_reference_id: String(input.accountId),
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency,
                product,
                unit_amount: priceOf(plan, input.interval, currency),
                recurring: { interval: input.interval },
              },
            },
          ],
          // Stripe Tax for the session and the subscription and invoices it makes (stripe-node's
          // SessionCreateParams.automatic_tax).
          ...checkoutTaxParams(deps.automaticTax ?? false),
          metadata,
          subscription_data: { metadata },
          success_url: `${page}?plan=subscribed&session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${page}?plan=cancelled`,
        },
        { idempotencyKey: input.requestKey },
      );
      if (!session.url) {
        throw new Error(`Stripe returned Checkout Session ${session.id} without a url`);
      }
      return { status: "created", url: session.url, sessionId: session.id, plan };
    } catch (err) {
      // Out of reach or overloaded: nothing was half-made that a retry does not finish (the
      // customer and the product are found again, the session is keyed).
      if (isStripeUnavailable(err)) return { status: "unavailable" };
      throw err;
    }
  };
}

export type SubscriptionCheckout = ReturnType<typeof createSubscriptionCheckout>;
