import type { PlanMonthDeps } from "../billing/plan-months.js";
import { planCatalog, type Plan } from "../billing/plans.js";
import type { Config } from "../config/env.js";
import type { Ledger } from "../ledger/ledger.js";
import type { MoneyAdapters, Tuning } from "./types.js";

/** The plan catalog as configured: Free (the free tier) first, then PLANS. */
export const plansOf = (config: Config): Plan[] =>
  planCatalog(config.PLANS, config.FREE_REVIEWS_PER_MONTH);

/**
 * What the plan months are granted with, one way for the worker's roll, the Stripe webhook
 * and the admin's changes: the ledger, the subscriptions, the catalog and the clock.
 */
export function planMonthDeps(
  config: Config,
  a: MoneyAdapters,
  t: Tuning,
  ledger: Ledger,
): PlanMonthDeps {
  return {
    ledger,
    subscriptions: a.store.subscriptions,
    plans: plansOf(config),
    now: t.now ?? (() => new Date()),
  };
}
