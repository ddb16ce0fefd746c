/**
 * Credit packages: what an organization can buy through Stripe Checkout. Prices are integer
 * cents, never floats, so a price is exactly what Stripe charges. The sizes are ours and
 * configurable (CREDIT_PACKAGES); the per-review prices come from the product's billing docs.
 * `priceCents` is the US dollar price; `prices` the euro and pound ones (currency.ts).
 */
import { z } from "zod";
import { derivedCents, type Currency, type OtherCurrency } from "./currency.js";
import { listOf, otherPrices, parsePriceList, priceCents, text, whole } from "./price-list.js";

export interface CreditPackage {
  /** Stable id: stored in Checkout metadata, so it must keep meaning the same package. */
  id: string;
  name: string;
  description: string;
  credits: number;
  /** In US cents. */
  priceCents: number;
  /** In euro and pound cents; one left out is derived from priceCents (priceIn). */
  prices?: Partial<Record<OtherCurrency, number>> | undefined;
}

export const DEFAULT_PACKAGES: readonly CreditPackage[] = Object.freeze([
  {
    id: "starter",
    name: "Starter",
    description: "For solo developers",
    credits: 100,
    priceCents: 3000,
    prices: { eur: 2800, gbp: 2400 },
  },
  {
    id: "growth",
    name: "Growth",
    description: "For growing teams",
    credits: 500,
    priceCents: 12250,
    prices: { eur: 11400, gbp: 9800 },
  },
  {
    id: "scale",
    name: "Scale",
    description: "For teams shipping frequently",
    credits: 2000,
    priceCents: 39600,
    prices: { eur: 36800, gbp: 31700 },
  },
]);

const packageSchema = z.strictObject(
  {
    id: z
      .string({ error: "must be 1-40 lowercase letters, digits or -" })
      .regex(/^[a-z0-9-]{1,40}$/, "must be 1-40 lowercase letters, digits or -"),
    name: text(60),
    description: text(200),
    credits: whole(1, 1_000_000, "a whole number of credits"),
    priceCents: priceCents(),
    prices: otherPrices(priceCents()),
  },
  {
    // Unknown keys keep zod's message, which names them.
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? undefined
        : 'expected a package: { "id", "name", "description", "credits", "priceCents", "prices"? }',
  },
);

const packagesSchema = listOf(packageSchema, 20, "packages");

/**
 * The packages from CREDIT_PACKAGES (JSON), or the defaults when it is unset. Throws an Error
 * naming every problem, meant for boot: a bad price list must stop the process, not sell.
 */
export function parsePackages(json: string | undefined): CreditPackage[] {
  return parsePriceList("CREDIT_PACKAGES", json, packagesSchema, DEFAULT_PACKAGES);
}

export function findPackage(
  packages: readonly CreditPackage[],
  id: string,
): CreditPackage | undefined {
  return packages.find((p) => p.id === id);
}

/** What one review costs in this package, in cents (30, 24.5, 19.8): for display only. */
export function perReviewCents(p: CreditPackage): number {
  return p.priceCents / p.credits;
}

/** The package's price in `currency`, in its cents: what Checkout and a top-up charge. */
export function priceIn(p: CreditPackage, currency: Currency): number {
  if (currency === "usd") return p.priceCents;
  return p.prices?.[currency] ?? derivedCents(p.priceCents, currency);
}
