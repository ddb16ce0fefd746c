/**
 * Schemas several routes share. Request schemas are strict objects of strings: an operator
 * object such as {"$gt": ""}, or a key nobody asked for, is a 400 before any handler runs.
 * Response schemas describe what is sent (the OpenAPI document is built from both) and are
 * deliberately loose about content: a stored value they did not expect must not become a 500.
 */
import { z } from "zod";
import { CURRENCIES } from "../billing/currency.js";
import { BUCKETS } from "../ledger/types.js";

/** The org in the path. Access checks run before this (an unknown org is a 404 there). */
export const orgParams = z.strictObject({
  org: z.string().min(1).max(100).describe("GitHub organization or user login"),
});

export const timestamp = z.iso.datetime().describe("ISO 8601, UTC");

export const bucketsSchema = z
  .object(
    Object.fromEntries(BUCKETS.map((b) => [b, z.number().int()])) as Record<
      (typeof BUCKETS)[number],
      z.ZodNumber
    >,
  )
  .meta({
    id: "Buckets",
    description: "Credits per bucket, in spend order: free, plan, bonus, purchased",
  });

/** What requireOrgAccess protects: a Jasper API key or an org admin's GitHub token. */
export const BEARER_SECURITY = [{ bearer: [] }] as const;

/** What a checkout (a package, a plan) is paid in; the rule is billing/checkout-currency.ts. */
export const checkoutCurrencyField = z
  .enum(CURRENCIES, { error: "must be one of usd, eur, gbp" })
  .optional()
  .describe(
    "What to pay in, before the organization's first payment fixes its currency (default usd); after that, absent or that currency",
  );

/** The 409 of a checkout asking another currency than the one the account pays in. */
export const currencyFixedMessage = (fixed: string) =>
  `This organization pays in ${fixed.toUpperCase()} since its first payment`;
