/**
 * What a Jasper Checkout Session carries in its metadata, written by create-checkout.ts and
 * read back from Stripe's events by stripe-events.ts. One schema for both sides, so a field
 * cannot be renamed on one side only. Stripe metadata values are always strings.
 *
 * Metadata is never what a payment is granted by: anyone with access to the Stripe account
 * can create a session with any metadata, or edit it. The grant follows the session Jasper
 * recorded (checkout-session-store.ts); the metadata is a label for people reading the
 * Stripe dashboard, and a cross-check: a recorded session whose metadata says something
 * else has been tampered with, and is left to an operator.
 */
import { z } from "zod";
import { joinIssues, zodIssues } from "../shared/zod-issues.js";
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
  pkg: Pick<CreditPackage, "id" | "credits">,
): Record<(typeof KEYS)[number], string> {
  return { accountId: String(accountId), packageId: pkg.id, credits: String(pkg.credits) };
}

export type MetadataReading =
  /** None of our keys: not marked as Jasper's. */
  | { status: "absent" }
  /** Some of our keys, but not valid ones; `problems` names the fields, never their values. */
  | { status: "invalid"; problems: string }
  | { status: "valid"; metadata: CheckoutMetadata };

export function readCheckoutMetadata(
  metadata: Record<string, string> | null | undefined,
): MetadataReading {
  if (!metadata || !KEYS.some((k) => k in metadata)) return { status: "absent" };
  const result = metadataSchema.safeParse(metadata);
  if (result.success) return { status: "valid", metadata: result.data };
  return { status: "invalid", problems: joinIssues(zodIssues(result.error, "metadata")) };
}
