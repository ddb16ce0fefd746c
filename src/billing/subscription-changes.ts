/**
 * What an admin changes on the account's subscription (issue 20): the Stripe billing portal,
 * cancelling at the period's end, reactivating before it, and an upgrade (more credits a month,
 * or monthly to annual) that takes effect at once, Stripe prorating the price and charging the
 * difference now. Each asks Stripe first and then applies the subscription Stripe answers
 * (applySubscriptionState), so nothing is half-written when Stripe cannot be reached; the
 * webhook brings the same state again, idempotently.
 *
 * A downgrade (fewer credits, or annual to monthly) takes effect at the period's end: a Stripe
 * subscription schedule whose first phase is the plan as it is, to the period's end, and whose
 * second is the new plan, after which the schedule releases the subscription. Nothing changes
 * in Jasper until Stripe switches the plan (customer.subscription.updated): this period's
 * months keep the plan paid for.
 */
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import { PLAN_HOLDING_STATUSES } from "./billing-status.js";
import { isCurrency } from "./currency.js";
import { applySubscriptionState, type PlanMonthDeps } from "./plan-months.js";
import { ensurePlanProduct, isStripeUnavailable } from "./plan-products.js";
import { findPlan, FREE_PLAN_ID, priceOf, type Plan, type PlanInterval } from "./plans.js";
import type { StripeCustomerStore } from "./stripe-customer-store.js";
import { failedFields, idOf } from "./stripe-event-schemas.js";
import { scheduleSchema, subscriptionSchema } from "./subscription-schemas.js";
import { itemOf, stateFromStripe } from "./subscription-state.js";
import type { SubscriptionState } from "./subscription-store.js";

export interface SubscriptionChangesDeps {
  /** null when STRIPE_SECRET_KEY is unset: nothing here is available then. */
  stripe: Stripe | null;
  customers: Pick<StripeCustomerStore, "find">;
  planMonths: PlanMonthDeps;
  /** PUBLIC_URL: the portal returns to the account's /billing page. */
  publicUrl: string;
}

export type ChangeRefusal =
  /** The account holds no subscription (none, or it ended). */
  | { status: "no_subscription" }
  | { status: "already_cancelled" }
  | { status: "not_cancelled" }
  | { status: "unknown_plan" }
  | { status: "same_plan" }
  /** The prorated payment of an upgrade did not go through: Stripe left the plan as it was. */
  | { status: "payment_failed" }
  /** The subscription is billed in a currency Jasper sets no price in (edited in Stripe). */
  | { status: "unpriced_currency"; currency: string }
  /** Stripe is not set up or not reachable: nothing changed. */
  | { status: "unavailable" };

export type ChangeResult =
  | { status: "changed"; state: SubscriptionState }
  /** A downgrade or a switch to monthly, scheduled for the period's end (`state`: as now). */
  | { status: "scheduled"; state: SubscriptionState; plan: string; interval: PlanInterval }
  | ChangeRefusal;

export type PortalResult =
  | { status: "created"; url: string }
  /** The account has no Stripe customer yet: nothing to manage. */
  | { status: "no_customer" }
  | { status: "unavailable" };

export function createSubscriptionChanges(deps: SubscriptionChangesDeps) {
  const { planMonths } = deps;
  const base = deps.publicUrl.replace(/\/+$/, "");

  /** The subscription the account holds, with Stripe to change it; or why there is none. */
  async function held(accountId: AccountId) {
    if (!deps.stripe) return { status: "unavailable" } as const;
    const s = await planMonths.subscriptions.findByAccount(accountId);
    const customer = await deps.customers.find(accountId);
    if (!s || !PLAN_HOLDING_STATUSES.includes(s.status) || customer?.customerId !== s.customerId) {
      return { status: "no_subscription" } as const;
    }
    return { status: "held", s, stripe: deps.stripe } as const;
  }

  /** Applies the subscription Stripe answered, read now. */
  async function apply(answer: unknown, owner: SubscriptionState): Promise<ChangeResult> {
    const parsed = subscriptionSchema.safeParse(answer);
    if (!parsed.success) {
      throw new Error(`Stripe answered a subscription change with ${failedFields(parsed.error)}`);
    }
    const state = stateFromStripe(parsed.data, planMonths.plans, owner, planMonths.now());
    if ("mismatch" in state) throw new Error(state.mismatch);
    await applySubscriptionState(planMonths, state);
    return { status: "changed", state };
  }

  /** Stripe out of reach or overloaded is "unavailable"; anything else is thrown. */
  async function guarded<T>(work: () => Promise<T>): Promise<T | { status: "unavailable" }> {
    try {
      return await work();
    } catch (err) {
      if (isStripeUnavailable(err)) return { status: "unavailable" };
      throw err;
    }
  }

  async function setCancel(accountId: AccountId, cancel: boolean): Promise<ChangeResult> {
    const h = await held(accountId);
    if (h.status !== "held") return h;
    if (h.s.cancelAtPeriodEnd === cancel) {
      return { status: cancel ? "already_cancelled" : "not_cancelled" };
    }
    return guarded(async () => {
      // Cancelling drops a downgrade scheduled for the period's end: nothing follows it.
      if (cancel) await releaseSchedule(h.stripe, h.s.subscriptionId);
      const answer = await h.stripe.subscriptions.update(h.s.subscriptionId, {
        cancel_at_period_end: cancel,
      });
      return apply(answer, h.s);
    });
  }

  /**
   * Releases the subscription's schedule (a downgrade waiting for the period's end), so that a
   * change made now is not undone by it at the period's end. Returns the subscription.
   */
  async function releaseSchedule(stripe: Stripe, subscriptionId: string) {
    const sub = subscriptionSchema.parse(await stripe.subscriptions.retrieve(subscriptionId));
    const schedule = idOf(sub.schedule ?? null);
    if (schedule) await stripe.subscriptionSchedules.release(schedule);
    return sub;
  }

  async function changePlan(
    accountId: AccountId,
    planId: string,
    interval: PlanInterval,
    requestKey: string,
  ): Promise<ChangeResult> {
    const plan = planId === FREE_PLAN_ID ? undefined : findPlan(planMonths.plans, planId);
    if (!plan) return { status: "unknown_plan" };
    const h = await held(accountId);
    if (h.status !== "held") return h;
    const current = findPlan(planMonths.plans, h.s.plan);
    if (h.s.plan === plan.id && h.s.interval === interval) return { status: "same_plan" };
    const fewer = current !== undefined && plan.creditsPerMonth < current.creditsPerMonth;
    if (fewer || (h.s.interval === "year" && interval === "month")) {
      return guarded(() => scheduleDowngrade(h.stripe, h.s, plan, interval, requestKey));
    }
    return guarded(async () => {
      const stripe = h.stripe;
      // An upgrade replaces a downgrade scheduled for the period's end.
      const sub = await releaseSchedule(stripe, h.s.subscriptionId);
      // Stripe bills a customer in one currency: the new price is in the subscription's own.
      const { currency } = sub;
      if (!isCurrency(currency)) return { status: "unpriced_currency", currency } as const;
      const product = await ensurePlanProduct(stripe, plan);
      const answer = await stripe.subscriptions.update(
        h.s.subscriptionId,
        {
          items: [
            {
              id: itemOf(sub).id,
              price_data: {
                currency,
                product,
                unit_amount: priceOf(plan, interval, currency),
                recurring: { interval },
              },
            },
          ],
          // The difference charged now; the change holds only if that payment goes through.
          proration_behavior: "always_invoice",
          payment_behavior: "pending_if_incomplete",
        },
        { idempotencyKey: requestKey },
      );
      if (answer.pending_update) return { status: "payment_failed" } as const;
      return apply(answer, h.s);
    });
  }

  /**
   * The plan as it is to the period's end, then the new one: a schedule made from the
   * subscription (or its schedule already there, rewritten: a second downgrade replaces the
   * first), released at the end of its last phase.
   */
  async function scheduleDowngrade(
    stripe: Stripe,
    s: SubscriptionState,
    plan: Plan,
    interval: PlanInterval,
    requestKey: string,
  ): Promise<ChangeResult> {
    const sub = subscriptionSchema.parse(await stripe.subscriptions.retrieve(s.subscriptionId));
    const item = itemOf(sub);
    const periodEnd = item.current_period_end;
    // The next phase is billed in the currency the subscription is billed in now.
    const { currency } = sub;
    if (!isCurrency(currency)) return { status: "unpriced_currency", currency };
    const product = await ensurePlanProduct(stripe, plan);
    const existing = idOf(sub.schedule ?? null);
    const schedule = scheduleSchema.parse(
      existing
        ? await stripe.subscriptionSchedules.retrieve(existing)
        : await stripe.subscriptionSchedules.create(
            { from_subscription: sub.id },
            { idempotencyKey: `${requestKey}:schedule` },
          ),
    );
    await stripe.subscriptionSchedules.update(
      schedule.id,
      {
        end_behavior: "release",
        phases: [
          {
            items: [{ price: item.price.id, quantity: 1 }],
            start_date: schedule.phases[0]!.start_date,
            end_date: periodEnd,
          },
          {
            items: [
              {
                price_data: {
                  currency,
                  product,
                  unit_amount: priceOf(plan, interval, currency),
                  recurring: { interval },
                },
                quantity: 1,
              },
            ],
            duration: { interval, interval_count: 1 },
            proration_behavior: "none",
          },
        ],
      },
      { idempotencyKey: `${requestKey}:phases` },
    );
    // Recorded so billing status says it (Stripe's subscription names only the schedule's id):
    // kept by each state applied while the schedule is there (subscription-state.ts).
    const scheduledChange = { plan: plan.id, interval, effectiveAt: new Date(periodEnd * 1000) };
    const saved = await planMonths.subscriptions.put({
      ...s,
      scheduledChange,
      updatedAt: planMonths.now(),
    });
    const state = saved.status === "saved" ? saved.state : s;
    return { status: "scheduled", state, plan: plan.id, interval };
  }

  async function portal(accountId: AccountId, accountLogin: string): Promise<PortalResult> {
    if (!deps.stripe) return { status: "unavailable" };
    const stripe = deps.stripe;
    const customer = await deps.customers.find(accountId);
    if (!customer) return { status: "no_customer" };
    return guarded(async () => {
      const session = await stripe.billingPortal.sessions.create({
        customer: customer.customerId,
        return_url: `${base}/billing/${encodeURIComponent(accountLogin)}`,
      });
      return { status: "created", url: session.url } as const;
    });
  }

  return {
    cancel: (accountId: AccountId) => setCancel(accountId, true),
    reactivate: (accountId: AccountId) => setCancel(accountId, false),
    changePlan,
    portal,
  };
}

export type SubscriptionChanges = ReturnType<typeof createSubscriptionChanges>;
