/**
 * Subscription plans: what an account can subscribe to, next to the one-off credit packages
 * (which stay for top-ups on any plan). Prices are integer cents. The paid plans are ours and
 * configurable (PLANS, like CREDIT_PACKAGES); Free is the free tier (FREE_REVIEWS_PER_MONTH)
 * and always there. An Enterprise plan is not in the catalog: an operator sets one for one
 * account (src/billing/enterprise-plan.ts).
 */
import { z } from "zod";
import { derivedCents, type Currency, type OtherCurrency } from "./currency.js";
import { listOf, otherPrices, parsePriceList, priceCents, text, whole } from "./price-list.js";

export const PLAN_INTERVALS = ["month", "year"] as const;
export type PlanInterval = (typeof PLAN_INTERVALS)[number];

export interface Plan {
  /** Stable id: stored with a subscription, so it must keep meaning the same plan. */
  id: string;
  name: string;
  /** Plan credits granted for each month of the subscription (annual: each of twelve). */
  creditsPerMonth: number;
  /** The price of a month, and of a year, in cents; 0 for Free. */
  monthlyCents: number;
  annualCents: number;
  /** The month's and year's prices in euro and pound cents; one left out is derived. */
  prices?: Partial<Record<OtherCurrency, PlanPrices>> | undefined;
  /** The most distinct pull request authors reviewed in a billing month; null: no limit. */
  seatLimit: number | null;
}

export interface PlanPrices {
  monthlyCents: number;
  annualCents: number;
}

export const FREE_PLAN_ID = "free";

export const DEFAULT_PAID_PLANS: readonly Plan[] = Object.freeze([
  {
    id: "pro",
    name: "Pro",
    creditsPerMonth: 200,
    monthlyCents: 4900,
    annualCents: 49000,
    prices: {
      eur: { monthlyCents: 4500, annualCents: 45000 },
      gbp: { monthlyCents: 3900, annualCents: 39000 },
    },
    seatLimit: null,
  },
  {
    id: "team",
    name: "Team",
    creditsPerMonth: 750,
    monthlyCents: 14900,
    annualCents: 149000,
    prices: {
      eur: { monthlyCents: 13900, annualCents: 139000 },
      gbp: { monthlyCents: 11900, annualCents: 119000 },
    },
    seatLimit: null,
  },
]);

/** The Free plan: the free tier's credits, nothing to pay, no seat limit. */
export const freePlan = (freePerMonth: number): Plan => ({
  id: FREE_PLAN_ID,
  name: "Free",
  creditsPerMonth: freePerMonth,
  monthlyCents: 0,
  annualCents: 0,
  seatLimit: null,
});

const ID = "must be 1-40 lowercase letters, digits or -, and not free or enterprise";
export const planIdSchema = z
  .string({ error: ID })
  .regex(/^[a-z0-9-]{1,40}$/, ID)
  .refine((id) => id !== FREE_PLAN_ID && !id.startsWith("enterprise"), ID);

const planSchema = z.strictObject(
  {
    id: planIdSchema,
    name: text(60),
    creditsPerMonth: whole(1, 1_000_000, "a whole number of credits"),
    monthlyCents: priceCents(),
    annualCents: priceCents(),
    prices: otherPrices(z.strictObject({ monthlyCents: priceCents(), annualCents: priceCents() })),
    seatLimit: whole(1, 100_000, "a whole number of seats").nullable().default(null),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? undefined
        : 'expected a plan: { "id", "name", "creditsPerMonth", "monthlyCents", "annualCents", "prices"?, "seatLimit"? }',
  },
);

const plansSchema = listOf(planSchema, 10, "plans");

/**
 * The paid plans from PLANS (JSON), or the defaults (Pro, Team) when it is unset. Throws an
 * Error naming every problem, meant for boot: a bad price list must stop the process.
 */
export function parsePlans(json: string | undefined): Plan[] {
  return parsePriceList("PLANS", json, plansSchema, DEFAULT_PAID_PLANS);
}

/** The whole catalog: Free first, then the paid plans as configured. */
export function planCatalog(paid: readonly Plan[], freePerMonth: number): Plan[] {
  return [freePlan(freePerMonth), ...paid.map((p) => ({ ...p }))];
}

export function findPlan(plans: readonly Plan[], id: string): Plan | undefined {
  return plans.find((p) => p.id === id);
}

/** The price of the plan for one interval, in cents. */
export function priceOf(plan: Plan, interval: PlanInterval, currency: Currency = "usd"): number {
  const usd = interval === "month" ? plan.monthlyCents : plan.annualCents;
  if (currency === "usd" || usd === 0) return usd;
  const set = plan.prices?.[currency];
  if (!set) return derivedCents(usd, currency);
  return interval === "month" ? set.monthlyCents : set.annualCents;
}
