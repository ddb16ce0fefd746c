/**
 * Enterprise: an operator puts one account on a custom plan (credits a month, a price, billed
 * by invoice with payment terms) through the operator CLI and API (src/operators).
 *
 * Stored, not a Stripe subscription: the plan is a subscription state of its own
 * (`enterprise_<account>`) carrying its terms (`custom`), a year's period from when it is set,
 * and its months are granted through the same plan bucket as Stripe's plans, idempotent by
 * (subscription, month): the first at once, the next eleven by the sweep's month roll. Each
 * granted month is invoiced at Stripe by the roll (enterprise-invoices.ts: send_invoice at
 * `priceCents` with `daysUntilDue` payment terms).
 * Setting it again replaces the terms from the next month (this month's grant stands, or
 * gets the difference when the credits went up, as an upgrade does).
 */
import type { AccountId } from "../accounts/types.js";
import {
  addMonths,
  applySubscriptionState,
  grantCurrentMonth,
  type MonthGrant,
  type PlanMonthDeps,
} from "./plan-months.js";
import type { CustomPlanTerms, SubscriptionState } from "./subscription-store.js";
import { planOfSubscription } from "./subscription-plan.js";

/** The subscription id of an account's enterprise plan: one per account. */
export const enterpriseSubscriptionId = (accountId: AccountId): string =>
  `enterprise_${accountId as number}`;

/** Its plan id: outside the catalog's ids (plans.ts refuses ids starting "enterprise"). */
export const enterprisePlanId = (accountId: AccountId): string =>
  `enterprise-${accountId as number}`;

export type SetEnterpriseResult =
  | { status: "set"; state: SubscriptionState; grant: MonthGrant | { status: "stale" } | null }
  /** The account holds a Stripe subscription: cancel it first (nothing changed). */
  | { status: "has_subscription"; subscription: string };

/**
 * Sets (or replaces) the account's enterprise plan and grants the month running now. A year's
 * period from `now` for a new plan; a replaced one keeps its period.
 */
export async function setEnterprisePlan(
  deps: PlanMonthDeps,
  accountId: AccountId,
  terms: CustomPlanTerms,
): Promise<SetEnterpriseResult> {
  const now = deps.now();
  const current = await deps.subscriptions.findByAccount(accountId);
  const id = enterpriseSubscriptionId(accountId);
  const holding = ["active", "trialing", "past_due"];
  if (current && current.subscriptionId !== id && holding.includes(current.status)) {
    return { status: "has_subscription", subscription: current.subscriptionId };
  }
  const mine = current?.subscriptionId === id && current.currentPeriodEnd > now ? current : null;
  const state: SubscriptionState = {
    accountId,
    customerId: "enterprise",
    subscriptionId: id,
    plan: enterprisePlanId(accountId),
    interval: "year",
    status: "active",
    currentPeriodStart: mine?.currentPeriodStart ?? now,
    currentPeriodEnd: mine?.currentPeriodEnd ?? addMonths(now, 12),
    cancelAtPeriodEnd: false,
    updatedAt: now,
    custom: { ...terms },
  };
  // With its terms in the catalog the plan months see it; recorded, then this month granted
  // (a state alone waits for an invoice for Stripe's plans: an operator's word is the payment).
  const withPlan = { ...deps, plans: [...deps.plans, planOfSubscription(deps.plans, state)!] };
  const applied = await applySubscriptionState(withPlan, state);
  const grant =
    applied && applied.status === "not_due" && applied.reason === "awaiting_invoice"
      ? await grantCurrentMonth(withPlan, state)
      : applied;
  return { status: "set", state, grant };
}
