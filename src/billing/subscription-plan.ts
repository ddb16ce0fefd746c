import { findPlan, type Plan } from "./plans.js";
import type { SubscriptionState } from "./subscription-store.js";

/**
 * The plan a subscription holds: an operator's enterprise plan's own terms (enterprise-plan.ts),
 * else the catalog's plan of that id.
 */
export function planOfSubscription(
  plans: readonly Plan[],
  s: Pick<SubscriptionState, "plan" | "custom">,
): Plan | undefined {
  if (!s.custom) return findPlan(plans, s.plan);
  return {
    id: s.plan,
    name: s.custom.name,
    creditsPerMonth: s.custom.creditsPerMonth,
    monthlyCents: s.custom.priceCents,
    annualCents: s.custom.priceCents * 12,
    seatLimit: null,
  };
}
