/**
 * What a Jasper Checkout Session carries in its metadata, written by create-checkout.ts and
 * read back from Stripe's events by stripe-events.ts. One schema for both sides, so a field
 * cannot be renamed on one side only. Stripe metadata values are always strings.
 *
 * The credits are stored at checkout time rather than looked up from the package list when
 * the payment arrives: an async payment can succeed days later, after CREDIT_PACKAGES changed,
 * and the customer gets what they were shown when they paid.
 */
import { z } from "zod";
import { JasperError } from "../errors.js";
import { joinIssues, zodIssues } from "../zod-issues.js";
import type { CreditPackage } from "./packages.js";

const positiveIntString = (what: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, `must be a positive integer (${what})`)
    .transform(Number)
    .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));

const metadataSchema = z.object({
  accountId: positiveIntString("the GitHub account id"),
  packageId: z.string().regex(/^[a-z0-9-]{1,40}$/, "must be a package id"),
  credits: positiveIntString("credits bought").pipe(z.number().max(1_000_000)),
});

export interface CheckoutMetadata {
  accountId: number;
  packageId: string;
  credits: number;
}

/** The keys that mark a Checkout Session (or its PaymentIntent and Charge) as Jasper's. */
const KEYS = ["accountId", "packageId", "credits"] as const;

export function checkoutMetadata(
  accountId: number,
  pkg: CreditPackage,
): Record<(typeof KEYS)[number], string> {
  return { accountId: String(accountId), packageId: pkg.id, credits: String(pkg.credits) };
}

/**
 * A payment that says it is Jasper's but whose metadata makes no sense. Retrying cannot fix
 * it, so the webhook answers 200 (Stripe would otherwise redeliver for days) and logs it
 * for an operator, who can grant by hand.
 */
export class CheckoutMetadataError extends JasperError {
  constructor(
    readonly objectId: string,
    problems: string,
  ) {
    super("invalid_checkout_metadata", `Stripe object ${objectId} has bad metadata: ${problems}`);
  }
}

/**
 * null when the object carries none of our keys: a payment made by something else on the
 * same Stripe account, which is not ours to handle. Throws CheckoutMetadataError when it
 * carries some of them but not valid ones.
 */
export function readCheckoutMetadata(
  objectId: string,
  metadata: Record<string, string> | null | undefined,
): CheckoutMetadata | null {
  if (!metadata || !KEYS.some((k) => k in metadata)) return null;
  const result = metadataSchema.safeParse(metadata);
  if (result.success) return result.data;
  throw new CheckoutMetadataError(objectId, joinIssues(zodIssues(result.error, "metadata")));
}
