/**
 * Each plan is one Stripe Product whose id Jasper chooses (`jasper_plan_<plan>`), created on
 * first use. A subscription's plan is read from its item's price's product: an id Jasper made,
 * not metadata. A price that is not on such a product (one made by hand in the Stripe
 * dashboard for another product) is no plan of Jasper's. The prices themselves are made inline
 * at checkout (price_data), at the plan's configured price for the interval.
 */
import Stripe from "stripe";
import { findPlan, type Plan } from "./plans.js";

const PREFIX = "jasper_plan_";

export const planProductId = (planId: string): string => `${PREFIX}${planId}`;

/** The plan a product stands for, or undefined when the product is not one of Jasper's plans. */
export function planOfProduct(plans: readonly Plan[], productId: string): Plan | undefined {
  if (!productId.startsWith(PREFIX)) return undefined;
  return findPlan(plans, productId.slice(PREFIX.length));
}

/**
 * The plan's product, created when missing. Two requests at once may both find none: the
 * second creation is refused as a duplicate id, which is the product existing, as wanted.
 */
export async function ensurePlanProduct(stripe: Stripe, plan: Plan): Promise<string> {
  const id = planProductId(plan.id);
  try {
    await stripe.products.retrieve(id);
    return id;
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeInvalidRequestError) || err.statusCode !== 404) {
      throw err;
    }
  }
  try {
    await stripe.products.create({ id, name: `Jasper ${plan.name}` });
  } catch (err) {
    const exists =
      err instanceof Stripe.errors.StripeInvalidRequestError &&
      err.code === "resource_already_exists";
    if (!exists) throw err;
  }
  return id;
}

/**
 * Whether a Stripe failure is Stripe being out of reach or overloaded (nothing was decided,
 * retry later: a 503) rather than a refusal of what was asked.
 */
export function isStripeUnavailable(err: unknown): boolean {
  return (
    err instanceof Stripe.errors.StripeConnectionError ||
    err instanceof Stripe.errors.StripeRateLimitError ||
    (err instanceof Stripe.errors.StripeAPIError && (err.statusCode ?? 500) >= 500) ||
    (err instanceof Stripe.errors.StripeError && (err.statusCode ?? 0) >= 500)
  );
}
