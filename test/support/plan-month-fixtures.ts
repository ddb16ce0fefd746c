/**
 * The plan-month suites' setup (test/billing/plan-months-*.test.ts): a ledger without a free
 * tier on a test clock, the subscription store, and a catalog (the default one unless PLANS is
 * given), wired as the Stripe events and the roll wire them.
 */
import type { PlanMonthDeps } from "../../src/billing/plan-months.js";
import { parsePlans, planCatalog } from "../../src/billing/plans.js";
import type { SubscriptionState } from "../../src/billing/subscription-store.js";
import type { Store } from "../../src/store/store.js";
import { makeLedger, newAccountId, TestClock } from "./ledger-fixture.js";

export async function planMonthSetup(create: () => Promise<Store>, at: string, plansJson?: string) {
  const store = await create();
  const clock = new TestClock(new Date(at));
  const { ledger } = makeLedger(store, clock, 0);
  const deps: PlanMonthDeps = {
    ledger,
    subscriptions: store.subscriptions,
    plans: planCatalog(parsePlans(plansJson), 0),
    now: clock.now,
  };
  return { store, clock, ledger, deps };
}

/** An active subscription on Pro, a monthly period from 15 December 2026 unless `over` says. */
export const subscriptionState = (over: Partial<SubscriptionState> = {}): SubscriptionState => ({
  accountId: newAccountId(),
  customerId: "cus_a",
  subscriptionId: "sub_m",
  plan: "pro",
  interval: "month",
  status: "active",
  currentPeriodStart: new Date("2026-12-15T09:00:00Z"),
  currentPeriodEnd: new Date("2027-01-15T09:00:00Z"),
  cancelAtPeriodEnd: false,
  updatedAt: new Date("2026-12-15T09:00:01Z"),
  ...over,
});

/** The same subscription on an annual period from 15 December 2026. */
export const annualState = (over: Partial<SubscriptionState> = {}): SubscriptionState =>
  subscriptionState({
    subscriptionId: "sub_y",
    interval: "year",
    currentPeriodEnd: new Date("2027-12-15T09:00:00Z"),
    ...over,
  });

/** What invoice.paid applies a state with: the period running now is paid for. */
export const paid = { invoicePaid: true };
