/**
 * The account's billing status (GET .../billing/status): whether Stripe is set up, the plan it
 * is on and its subscription's state as Stripe's events left it (subscription-store.ts), and
 * the seats used this billing month. Read-only: nothing here calls Stripe.
 */
import type { AccountId } from "../accounts/types.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import { periodStart, nextPeriodStart } from "../ledger/periods.js";
import { planMonthAt, type PlanMonth } from "./plan-months.js";
import { findPlan, FREE_PLAN_ID, type Plan, type PlanInterval } from "./plans.js";
import { countSeats, type SeatCount } from "./seats.js";
import { planOfSubscription } from "./subscription-plan.js";
import type {
  ScheduledChange,
  SubscriptionState,
  SubscriptionStatus,
  SubscriptionStore,
} from "./subscription-store.js";

/**
 * The statuses in which the subscription's plan holds: paid, or a renewal Stripe still
 * retries (past_due: "payment failed", the plan kept until Stripe gives up). Any other, and
 * the account is on Free, keeping what it bought.
 */
export const PLAN_HOLDING_STATUSES: readonly SubscriptionStatus[] = [
  "active",
  "trialing",
  "past_due",
];

export interface BillingStatus {
  stripeConfigured: boolean;
  /** The plan in effect: the subscription's while it holds, else Free. */
  plan: Plan;
  /** The subscription's interval; null on Free without a subscription. */
  interval: PlanInterval | null;
  /** Stripe's status of the account's newest subscription; null when it never had one. */
  status: SubscriptionStatus | null;
  /** The paid period (a month, or a year); null without a subscription. */
  currentPeriod: PlanMonth | null;
  /** The plan month running now (the billing month): an annual plan's month, or the period. */
  planMonth: PlanMonth | null;
  cancelAtPeriodEnd: boolean;
  /** A downgrade or a switch to monthly waiting for the period's end; null: none. */
  scheduledChange: ScheduledChange | null;
  /** Stripe is retrying a failed renewal. */
  paymentFailed: boolean;
  /** An operator's enterprise plan: its price and payment terms (billed by invoice). */
  custom: { priceCents: number; daysUntilDue: number } | null;
  /** Seats used in the billing month: the plan month, or the calendar month (UTC) on Free. */
  seats: SeatCount & { limit: number | null; from: Date; to: Date };
  /** The paid plans the account can subscribe or change to (the Plan page's choices). */
  paidPlans: readonly Plan[];
}

export interface BillingStatusDeps {
  subscriptions: Pick<SubscriptionStore, "findByAccount">;
  ledger: Pick<LedgerStore, "streamRows">;
  /** The plan catalog (Free first, planCatalog). */
  plans: readonly Plan[];
  stripeConfigured: boolean;
  now: () => Date;
}

export type BillingStatusOf = (accountId: AccountId) => Promise<BillingStatus>;

export function createBillingStatus(deps: BillingStatusDeps): BillingStatusOf {
  const free = findPlan(deps.plans, FREE_PLAN_ID);
  if (!free) throw new Error("bug: the plan catalog has no Free plan");
  return async (accountId) => {
    const now = deps.now();
    const s = await deps.subscriptions.findByAccount(accountId);
    const holds = s !== null && PLAN_HOLDING_STATUSES.includes(s.status);
    // A plan no longer in PLANS still shows by its id, so the account sees what it pays for.
    const plan = holds ? (planOfSubscription(deps.plans, s) ?? unlisted(s)) : free;
    const month = holds ? planMonthAt(s, now) : null;
    const from = month?.start ?? periodStart(now);
    const to = month?.end ?? nextPeriodStart(now);
    const seats = await countSeats(deps.ledger, accountId, from, to);
    return {
      stripeConfigured: deps.stripeConfigured,
      plan,
      interval: s?.interval ?? null,
      status: s?.status ?? null,
      currentPeriod: s ? { start: s.currentPeriodStart, end: s.currentPeriodEnd } : null,
      planMonth: month,
      cancelAtPeriodEnd: s?.cancelAtPeriodEnd ?? false,
      // Shown until it takes effect (its state applied then drops it; the clock may be first).
      scheduledChange:
        holds && s.scheduledChange && s.scheduledChange.effectiveAt > now
          ? s.scheduledChange
          : null,
      paymentFailed: s?.status === "past_due",
      custom:
        holds && s.custom
          ? { priceCents: s.custom.priceCents, daysUntilDue: s.custom.daysUntilDue }
          : null,
      seats: { ...seats, limit: plan.seatLimit, from, to },
      paidPlans: deps.plans.filter((p) => p.id !== FREE_PLAN_ID),
    };
  };
}

const unlisted = (s: SubscriptionState): Plan => ({
  id: s.plan,
  name: s.plan,
  creditsPerMonth: 0,
  monthlyCents: 0,
  annualCents: 0,
  seatLimit: null,
});
