/**
 * Credit packages: what an organization can buy through Stripe Checkout. Prices are integer
 * cents, never floats, so a price is exactly what Stripe charges. The sizes are ours and
 * configurable (CREDIT_PACKAGES); the per-review prices come from the product's billing docs.
 */
import { z } from "zod";
import { joinIssues, zodIssues } from "../shared/zod-issues.js";

export interface CreditPackage {
  /** Stable id: stored in Checkout metadata, so it must keep meaning the same package. */
  id: string;
  name: string;
  description: string;
  credits: number;
  priceCents: number;
}

export const DEFAULT_PACKAGES: readonly CreditPackage[] = Object.freeze([
  {
    id: "starter",
    name: "Starter",
    description: "For solo developers",
    credits: 100,
    priceCents: 3000,
  },
  {
    id: "growth",
    name: "Growth",
    description: "For growing teams",
    credits: 500,
    priceCents: 12250,
  },
  {
    id: "scale",
    name: "Scale",
    description: "For teams shipping frequently",
    credits: 2000,
    priceCents: 39600,
  },
]);

/** Stripe's smallest USD charge is 50 cents; its largest Checkout amount is $999,999.99. */
const MIN_PRICE_CENTS = 50;
const MAX_PRICE_CENTS = 99_999_999;

/** Text of 1 to `max` characters, one message for every way it can be wrong. */
const text = (max: number) => {
  const error = `expected text of 1 to ${max} characters`;
  return z.string({ error }).trim().min(1, { error }).max(max, { error });
};

/** A whole number in [min, max] (a JSON number, not a string), one message for every way. */
const whole = (min: number, max: number, what: string) => {
  const error = `expected ${what} between ${min} and ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const packageSchema = z.strictObject(
  {
    id: z
      .string({ error: "must be 1-40 lowercase letters, digits or -" })
      .regex(/^[a-z0-9-]{1,40}$/, "must be 1-40 lowercase letters, digits or -"),
    name: text(60),
    description: text(200),
    credits: whole(1, 1_000_000, "a whole number of credits"),
    priceCents: whole(MIN_PRICE_CENTS, MAX_PRICE_CENTS, "a price in whole cents"),
  },
  {
    // Unknown keys keep zod's message, which names them.
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? undefined
        : 'expected a package: { "id", "name", "description", "credits", "priceCents" }',
  },
);

const LIST = "expected a JSON array of 1 to 20 packages";
const packagesSchema = z
  .array(packageSchema, { error: LIST })
  .min(1, { error: LIST })
  .max(20, { error: LIST })
  .superRefine((packages, ctx) => {
    const seen = new Set<string>();
    packages.forEach((p, i) => {
      if (seen.has(p.id)) {
        ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate id "${p.id}"` });
      }
      seen.add(p.id);
    });
  });

/**
 * The packages from CREDIT_PACKAGES (JSON), or the defaults when it is unset. Throws an Error
 * naming every problem, meant for boot: a bad price list must stop the process, not sell.
 */
export function parsePackages(json: string | undefined): CreditPackage[] {
  if (json === undefined || json.trim() === "") return DEFAULT_PACKAGES.map((p) => ({ ...p }));
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`CREDIT_PACKAGES: not valid JSON (${(err as Error).message})`);
  }
  const result = packagesSchema.safeParse(value);
  if (!result.success) {
    throw new Error(`CREDIT_PACKAGES: ${joinIssues(zodIssues(result.error, "(list)"))}`);
  }
  return result.data;
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
