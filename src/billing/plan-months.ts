/**
 * Plan months (docs/billing.md, "The plan month"): a subscription's credits are granted a month
 * at a time, each month's on its own, whatever the interval. A monthly plan's month is its paid
 * period; an annual plan's year is twelve months from the period's start, each starting on the
 * start's day of the month (the last day of a shorter month, as Stripe anchors billing), the
 * last ending with the period. Grants go through Ledger.grantPlan, idempotent by
 * (subscription, month): an event redelivered, and the month roll, grant each month once.
 */
import type { Ledger, PlanGrantResult } from "../ledger/ledger.js";
import type { Plan } from "./plans.js";
import { planOfSubscription } from "./subscription-plan.js";
import type {
  SubscriptionState,
  SubscriptionStatus,
  SubscriptionStore,
} from "./subscription-store.js";

/** The statuses whose paid period earns plan credits: Stripe says the period is paid. */
export const PAID_STATUSES: readonly SubscriptionStatus[] = ["active", "trialing"];

/** `start` moved `months` calendar months on, on the same day, or the month's last day. */
export function addMonths(start: Date, months: number): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const at = new Date(start);
  at.setUTCFullYear(y, m, Math.min(start.getUTCDate(), lastDay));
  return at;
}

export interface PlanMonth {
  start: Date;
  end: Date;
}

/** The plan month of the subscription's paid period that `now` falls in; null outside it. */
export function planMonthAt(s: SubscriptionState, now: Date): PlanMonth | null {
  const t = now.getTime();
  const from = s.currentPeriodStart;
  const to = s.currentPeriodEnd;
  if (t < from.getTime() || t >= to.getTime()) return null;
  if (s.interval === "month") return { start: new Date(from), end: new Date(to) };
  // Twelve months at most in a year's period; bounded however long a period Stripe sends.
  for (let k = 0; k < 13; k++) {
    const start = addMonths(from, k);
    const next = addMonths(from, k + 1);
    const end = next.getTime() < to.getTime() ? next : new Date(to);
    if (t >= start.getTime() && t < end.getTime()) return { start, end };
  }
  return null;
}

export interface PlanMonthDeps {
  /** ensureFreeTier writes what is due (an ended plan month's expiration among it). */
  ledger: Pick<Ledger, "grantPlan" | "ensureFreeTier" | "planMonthGranted">;
  subscriptions: SubscriptionStore;
  /** The plan catalog, and an account's enterprise plan when it has one. */
  plans: readonly Plan[];
  now: () => Date;
}

export type MonthGrant =
  | PlanGrantResult
  /** Nothing to grant: the status is not paid, `now` is outside the period, or the plan is unknown. */
  | { status: "not_due"; reason: "unpaid" | "outside_period" | "unknown_plan" }
  /**
   * Nothing granted yet: the month is the first of a period, which only the period's paid
   * invoice grants (an active status alone is no payment: Stripe renews the period an hour
   * before it charges it); or an upgrade of a month not granted yet.
   */
  | { status: "not_due"; reason: "awaiting_invoice" };

/** Grants the plan month running now, if the subscription's period is paid and runs now. */
export async function grantCurrentMonth(
  deps: PlanMonthDeps,
  s: SubscriptionState,
  upgrade = false,
): Promise<MonthGrant> {
  if (!PAID_STATUSES.includes(s.status)) return { status: "not_due", reason: "unpaid" };
  const plan = planOfSubscription(deps.plans, s);
  if (!plan) return { status: "not_due", reason: "unknown_plan" };
  const month = planMonthAt(s, deps.now());
  if (!month) return { status: "not_due", reason: "outside_period" };
  return deps.ledger.grantPlan(s.accountId, {
    subscription: s.subscriptionId,
    plan: plan.id,
    monthStart: month.start,
    monthEnd: month.end,
    credits: plan.creditsPerMonth,
    upgrade,
    otherPlans: [...new Set([...deps.plans.map((p) => p.id), plan.id])],
    description: `${plan.name} plan: ${plan.creditsPerMonth} credits for the month from ${month.start.toISOString().slice(0, 10)}`,
  });
}

/** Whether the plan month running now is the first of the subscription's paid period. */
function isFirstMonth(s: SubscriptionState, now: Date): boolean {
  const month = planMonthAt(s, now);
  return month !== null && month.start.getTime() === s.currentPeriodStart.getTime();
}

const samePeriod = (a: SubscriptionState, b: SubscriptionState) =>
  a.currentPeriodStart.getTime() === b.currentPeriodStart.getTime() &&
  a.currentPeriodEnd.getTime() === b.currentPeriodEnd.getTime();

export interface ApplyOptions {
  /**
   * The state comes with a paid invoice of the period running now (invoice.paid): the month
   * running now is paid for, and granted, with an upgrade's difference if the plan went up.
   */
  invoicePaid?: boolean;
}

/**
 * A subscription's new state (from Stripe, subscription-events.ts): recorded, then what it
 * pays for granted. The first month of a period only with its paid invoice (`invoicePaid`);
 * the later months of an annual period, paid with its first, on any state (and by the roll).
 * A change to a plan with more credits a month within a period whose month is granted is an
 * upgrade: the difference in this month's credits is granted at once (keyed by the plan).
 * A change to fewer takes effect at the next month (Stripe switches the plan at the period's
 * end). Returns null when the subscription id is another account's, "stale" when a newer
 * state is recorded (nothing changed; a paid invoice still grants the month from the newer
 * state when it is the same period's).
 */
export async function applySubscriptionState(
  deps: PlanMonthDeps,
  next: SubscriptionState,
  options: ApplyOptions = {},
): Promise<MonthGrant | { status: "stale" } | null> {
  const saved = await deps.subscriptions.put(next);
  if (saved.status === "conflict") return null;
  if (saved.status === "stale") {
    if (options.invoicePaid && samePeriod(saved.current, next)) {
      return grantPaidMonth(deps, saved.current);
    }
    return { status: "stale" };
  }
  if (options.invoicePaid) return grantPaidMonth(deps, next);
  const before = saved.previous;
  const was = before ? planOfSubscription(deps.plans, before) : undefined;
  const plan = planOfSubscription(deps.plans, next);
  const upgraded =
    before !== null &&
    samePeriod(before, next) &&
    was !== undefined &&
    plan !== undefined &&
    plan.creditsPerMonth > was.creditsPerMonth;
  const now = deps.now();
  if (upgraded) {
    const month = planMonthAt(next, now);
    const plans = [...new Set([...deps.plans.map((p) => p.id), plan.id])];
    const granted = month
      ? await deps.ledger.planMonthGranted(next.accountId, next.subscriptionId, month.start, plans)
      : 0;
    if (granted > 0) return grantCurrentMonth(deps, next, true);
  }
  if (isFirstMonth(next, now)) return { status: "not_due", reason: "awaiting_invoice" };
  return grantCurrentMonth(deps, next);
}

/** A paid month: its own grant, then an upgrade's difference when the plan went up since. */
async function grantPaidMonth(deps: PlanMonthDeps, s: SubscriptionState): Promise<MonthGrant> {
  const own = await grantCurrentMonth(deps, s);
  if (own.status !== "replayed" && own.status !== "covered") return own;
  const up = await grantCurrentMonth(deps, s, true);
  return up.status === "created" ? up : own;
}

/**
 * Statuses whose paid period has no grant to come, but whose last month's credits may still be
 * held: Stripe retries the renewal (past_due) or stopped (unpaid). The roll writes their
 * expiration once the month ends. Canceled ones are left to the lazy expiry (every read and
 * write of the account) and to the deleted event: their list only grows.
 */
const SETTLE_ONLY_STATUSES: readonly SubscriptionStatus[] = ["past_due", "unpaid"];

/**
 * The month roll, a step of the scheduled sweep (src/worker/start-workers.ts): every paid
 * subscription gets the month running now when its period's payment covers it (an annual
 * plan's months after the first: a new one each month of its year), and the month before
 * expires with it (the grant settles the account first), with no Stripe event. A period's
 * first month waits for its invoice.paid. A paid subscription with no month to grant now (its renewal not yet
 * recorded), and an unpaid one, has what is due written instead, so an ended month's credits
 * leave the ledger on time, not at the account's next read. Pages by subscription id; each
 * write is idempotent by key, so a roll run twice, or at the same time on two workers,
 * grants and expires once. Costs one indexed read per subscription when nothing is due.
 * Returns the months granted.
 */
export async function rollPlanMonths(
  deps: PlanMonthDeps,
  pageSize = 100,
  /**
   * Called for each paid subscription after its month's grant (enterprise-invoices.ts bills a
   * granted enterprise month); it must not throw: the roll goes on to the next subscription.
   */
  afterGrant?: (s: SubscriptionState) => Promise<unknown>,
): Promise<number> {
  let granted = 0;
  await eachSubscription(deps.subscriptions, PAID_STATUSES, pageSize, async (s) => {
    // A period's first month is its invoice's to grant (applySubscriptionState).
    const r: MonthGrant = isFirstMonth(s, deps.now())
      ? { status: "not_due", reason: "awaiting_invoice" }
      : await grantCurrentMonth(deps, s);
    if (r.status === "created") granted++;
    else if (r.status !== "replayed" && r.status !== "covered") {
      await deps.ledger.ensureFreeTier(s.accountId);
    }
    await afterGrant?.(s);
  });
  await eachSubscription(deps.subscriptions, SETTLE_ONLY_STATUSES, pageSize, (s) =>
    deps.ledger.ensureFreeTier(s.accountId),
  );
  return granted;
}

async function eachSubscription(
  subscriptions: SubscriptionStore,
  statuses: readonly SubscriptionStatus[],
  pageSize: number,
  visit: (s: SubscriptionState) => Promise<unknown>,
): Promise<void> {
  let after: string | null = null;
  // Bounded: each page moves `after` forward; 10,000 pages is far past any real count.
  for (let page = 0; page < 10_000; page++) {
    const subs = await subscriptions.listByStatus(statuses, after, pageSize);
    for (const s of subs) await visit(s);
    if (subs.length < pageSize) return;
    after = subs[subs.length - 1]!.subscriptionId;
  }
}
