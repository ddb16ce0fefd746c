/**
 * The currencies Jasper sells in, and what a package or plan costs in each. USD is the
 * catalog's own (a package's `priceCents`); EUR and GBP prices are set per item (the
 * `prices` map of CREDIT_PACKAGES and PLANS) or, when an item leaves one out, derived once
 * at boot from its USD price by the fixed ratios below. They are list prices, not exchange
 * rates: they never change while the process runs, and an account pays in one currency (its
 * billing currency, fixed at its first payment: docs/billing.md, "Currency").
 */
import { z } from "zod";

export const CURRENCIES = ["usd", "eur", "gbp"] as const;
export type Currency = (typeof CURRENCIES)[number];
/** The currencies priced besides USD. */
export type OtherCurrency = Exclude<Currency, "usd">;

/** What a buyer who has never paid gets unless they pick another. */
export const DEFAULT_CURRENCY: Currency = "usd";

export const isCurrency = (value: unknown): value is Currency =>
  typeof value === "string" && (CURRENCIES as readonly string[]).includes(value);

/** A currency in a request: Stripe's lowercase ISO code; upper case is accepted too. */
export const currencySchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(CURRENCIES, { error: "must be one of usd, eur, gbp" }));

/**
 * A missing EUR or GBP price, per USD cent: roughly the markets' usual list-price steps
 * (EUR a little under USD, GBP about a fifth under), rounded up to whole cents.
 */
const DERIVED_RATIO: Record<OtherCurrency, number> = { eur: 0.93, gbp: 0.8 };

export function derivedCents(usdCents: number, currency: OtherCurrency): number {
  return Math.ceil(usdCents * DERIVED_RATIO[currency]);
}
