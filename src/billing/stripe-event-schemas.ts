/**
 * The parts of Stripe's events that stripe-events.ts reads, checked before it reads them. A
 * verified signature says Stripe sent the bytes, not that they have the shape stripe-node's
 * types promise (an event without data.object, a field of another type): such an event is
 * answered 200 "ignored", since no redelivery would change it, instead of failing with a
 * TypeError that Stripe would retry for three days.
 *
 * Only the fields used are listed; z.object lets every other field through unread.
 */
import { z } from "zod";

const stripeId = z.string().min(1).max(255);
/** A related object: its id, or the object itself when the request expanded it. */
const expandable = z.union([stripeId, z.object({ id: stripeId })]).nullable();
const cents = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const currency = z.string().regex(/^[a-z]{3}$/);

export const eventSchema = z.object({
  id: stripeId,
  type: z.string().min(1).max(255),
  // Not checked here: each event type checks the object it reads.
  data: z.object({ object: z.unknown() }).optional(),
});
export type StripeEventEnvelope = z.infer<typeof eventSchema>;

export const checkoutSessionSchema = z.object({
  id: stripeId,
  object: z.literal("checkout.session"),
  payment_status: z.string(),
  amount_total: cents.nullable(),
  currency: currency.nullable(),
  client_reference_id: z.string().nullable(),
  metadata: z.record(z.string(), z.string()).nullish(),
  payment_intent: expandable,
});
export type CheckoutSessionObject = z.infer<typeof checkoutSessionSchema>;

export const chargeSchema = z.object({
  id: stripeId,
  object: z.literal("charge"),
  currency,
  payment_intent: expandable,
  metadata: z.record(z.string(), z.string()).nullish(),
});
export type ChargeObject = z.infer<typeof chargeSchema>;

export const refundSchema = z.object({
  id: stripeId,
  object: z.literal("refund"),
  status: z.string().nullable(),
  charge: expandable,
});

/** Whether a Checkout Session object is one in setup mode (a card setup, not a purchase). */
export const isSetupSession = (object: unknown): boolean =>
  typeof object === "object" && object !== null && (object as { mode?: unknown }).mode === "setup";

/** Which fields failed, never their values: for the log line. */
export function failedFields(error: z.ZodError): string {
  const paths = error.issues.map((i) => i.path.map(String).join(".") || "(object)");
  return [...new Set(paths)].join(", ");
}

/** Stripe sends a related object as its id unless the request expanded it. */
export function idOf(value: string | { id: string } | null): string | undefined {
  if (value === null) return undefined;
  return typeof value === "string" ? value : value.id;
}

/** The fields of a PaymentIntent that an automatic top-up's events are matched on. */
export const paymentIntentSchema = z.object({
  id: stripeId,
  object: z.literal("payment_intent"),
  status: z.string(),
  amount: cents,
  amount_received: cents.optional(),
  currency,
  customer: expandable,
  metadata: z.record(z.string(), z.string()).nullish(),
  last_payment_error: z
    .object({ code: z.string().nullish(), decline_code: z.string().nullish() })
    .nullish(),
});
export type PaymentIntentObject = z.infer<typeof paymentIntentSchema>;
