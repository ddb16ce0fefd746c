/**
 * What the credit packages (CREDIT_PACKAGES) and the plans (PLANS) are read with: a JSON list
 * of priced items with unique ids, checked once at boot, each problem named with its place.
 * Prices are integer cents, never floats, so a price is exactly what Stripe charges.
 */
import { z } from "zod";
import { joinIssues, zodIssues } from "../shared/zod-issues.js";

/** Stripe's smallest USD charge is 50 cents; its largest Checkout amount is $999,999.99. */
export const MIN_PRICE_CENTS = 50;
export const MAX_PRICE_CENTS = 99_999_999;

/** Text of 1 to `max` characters, one message for every way it can be wrong. */
export const text = (max: number) => {
  const error = `expected text of 1 to ${max} characters`;
  return z.string({ error }).trim().min(1, { error }).max(max, { error });
};

/** A whole number in [min, max] (a JSON number, not a string), one message for every way. */
export const whole = (min: number, max: number, what: string) => {
  const error = `expected ${what} between ${min} and ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/** A price in whole cents Stripe can charge. */
export const priceCents = () => whole(MIN_PRICE_CENTS, MAX_PRICE_CENTS, "a price in whole cents");

/**
 * An item's prices in the currencies besides USD (`{ "eur": 2800, "gbp": 2400 }`), each
 * optional: one left out is derived from the USD price (currency.ts).
 */
export const otherPrices = <T extends z.ZodType>(price: T) =>
  z.strictObject({ eur: price.optional(), gbp: price.optional() }).optional();

/** 1 to `max` items, no two with the same id (the id is what Stripe's metadata keeps). */
export function listOf<T extends z.ZodType<{ id: string }>>(item: T, max: number, noun: string) {
  const error = `expected a JSON array of 1 to ${max} ${noun}`;
  return z
    .array(item, { error })
    .min(1, { error })
    .max(max, { error })
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((p, i) => {
        if (seen.has(p.id)) {
          ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate id "${p.id}"` });
        }
        seen.add(p.id);
      });
    });
}

/**
 * The list the setting holds, or `defaults` (copies) when it is unset. Throws an Error naming
 * the setting and every problem, meant for boot: a bad price list must stop the process.
 */
export function parsePriceList<T extends { id: string }>(
  setting: string,
  json: string | undefined,
  schema: z.ZodType<T[]>,
  defaults: readonly T[],
): T[] {
  if (json === undefined || json.trim() === "") return defaults.map((p) => ({ ...p }));
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`${setting}: not valid JSON (${(err as Error).message})`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Error(`${setting}: ${joinIssues(zodIssues(result.error, "(list)"))}`);
  }
  return result.data;
}
