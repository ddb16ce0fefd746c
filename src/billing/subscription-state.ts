/**
 * A Stripe subscription (checked by subscription-schemas.ts) as Jasper's SubscriptionState:
 * the plan is its one item's price's product (plan-products.ts), the period its item's
 * (API 2026-10-28). Shared by the webhook (subscription-events.ts) and the admin's changes
 * (subscription-changes.ts), which both apply what Stripe answers.
 */
import { planOfProduct } from "./plan-products.js";
import type { Plan } from "./plans.js";
import { idOf } from "./stripe-event-schemas.js";
import type { SubscriptionObject } from "./subscription-schemas.js";
import type { ScheduledChange, SubscriptionState } from "./subscription-store.js";

/** Why a subscription is none of Jasper's plans, for the log; never a payload value. */
export interface NotAPlan {
  mismatch: string;
}

export function stateFromStripe(
  sub: SubscriptionObject,
  plans: readonly Plan[],
  owner: Pick<SubscriptionState, "accountId" | "customerId" | "scheduledChange">,
  readAt: Date,
): SubscriptionState | NotAPlan {
  if (idOf(sub.customer) !== owner.customerId) {
    return { mismatch: `subscription ${sub.id} is not on the account's customer` };
  }
  // Jasper's subscriptions have one item: the plan's price.
  if (sub.items.data.length !== 1) {
    return { mismatch: `subscription ${sub.id} has ${sub.items.data.length} items` };
  }
  const item = sub.items.data[0]!;
  const productId = idOf(item.price.product);
  const plan = productId ? planOfProduct(plans, productId) : undefined;
  if (!plan) return { mismatch: `subscription ${sub.id}: its price is on no plan of Jasper's` };
  const recurring = item.price.recurring;
  const interval = recurring?.interval_count === 1 ? recurring.interval : null;
  if (interval !== "month" && interval !== "year") {
    return { mismatch: `subscription ${sub.id} is not billed monthly or yearly` };
  }
  const currentPeriodStart = new Date(item.current_period_start * 1000);
  const scheduledChange = keptScheduledChange(sub, owner.scheduledChange, currentPeriodStart);
  return {
    accountId: owner.accountId,
    customerId: owner.customerId,
    subscriptionId: sub.id,
    plan: plan.id,
    interval,
    status: sub.status,
    currentPeriodStart,
    currentPeriodEnd: new Date(item.current_period_end * 1000),
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    updatedAt: readAt,
    ...(scheduledChange ? { scheduledChange } : {}),
  };
}

/**
 * The scheduled change recorded when the admin made it (Stripe's subscription names only its
 * schedule's id), kept while the schedule is there and its period has not begun: a released
 * schedule (cancelled, upgraded, or done) or the new period (the change made) drops it.
 */
function keptScheduledChange(
  sub: SubscriptionObject,
  recorded: ScheduledChange | undefined,
  currentPeriodStart: Date,
): ScheduledChange | undefined {
  if (!recorded || !idOf(sub.schedule ?? null)) return undefined;
  return currentPeriodStart < recorded.effectiveAt ? recorded : undefined;
}

/** The subscription's one item, for a change of its price. */
export const itemOf = (sub: SubscriptionObject) => sub.items.data[0]!;
