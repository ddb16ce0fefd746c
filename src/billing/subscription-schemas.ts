/**
 * The fields of Stripe's subscription objects that subscription-events.ts reads (API
 * 2026-10-28: the period is on the subscription's items, an invoice names its subscription
 * under parent.subscription_details), checked before they are read, like
 * stripe-event-schemas.ts. Only the fields used are listed.
 */
import { z } from "zod";
import { SUBSCRIPTION_STATUSES } from "./subscription-store.js";

const stripeId = z.string().min(1).max(255);
const expandable = z.union([stripeId, z.object({ id: stripeId })]).nullable();
const seconds = z.number().int().positive();
/** Stripe's lowercase ISO code, as the account's billing currency is stored. */
const currencyCode = z.string().regex(/^[a-z]{3}$/);

/** A subscription-mode Checkout Session, as checkout.session.completed carries it. */
export const subscriptionSessionSchema = z.object({
  id: stripeId,
  object: z.literal("checkout.session"),
  mode: z.literal("subscription"),
  status: z.string().nullable(),
  customer: expandable,
  subscription: expandable,
  client_reference_id: z.string().nullable(),
});

/** A subscription, as its events carry it and as Stripe's API answers it. */
export const subscriptionSchema = z.object({
  id: stripeId,
  object: z.literal("subscription"),
  customer: expandable,
  status: z.enum(SUBSCRIPTION_STATUSES),
  /** What it is billed in; Stripe fixes it per customer, so a plan change keeps it. */
  currency: currencyCode,
  cancel_at_period_end: z.boolean(),
  /** The schedule that manages it (a downgrade at the period's end), if any. */
  schedule: expandable.optional(),
  items: z.object({
    data: z
      .array(
        z.object({
          id: stripeId,
          current_period_start: seconds,
          current_period_end: seconds,
          price: z.object({
            id: stripeId,
            product: expandable,
            recurring: z
              .object({ interval: z.string(), interval_count: z.number().int() })
              .nullable(),
          }),
        }),
      )
      .min(1),
  }),
});
export type SubscriptionObject = z.infer<typeof subscriptionSchema>;

/** An invoice, as invoice.paid and invoice.payment_failed carry it. */
export const invoiceSchema = z.object({
  id: stripeId,
  object: z.literal("invoice"),
  customer: expandable,
  status: z.string().nullable(),
  currency: currencyCode,
  parent: z
    .object({
      type: z.string(),
      subscription_details: z.object({ subscription: expandable }).nullish(),
    })
    .nullish(),
  lines: z.object({
    data: z.array(
      z.object({ period: z.object({ start: z.number().int(), end: z.number().int() }) }),
    ),
  }),
});
export type InvoiceObject = z.infer<typeof invoiceSchema>;

/** Whether a Checkout Session object is one in subscription mode. */
export const isSubscriptionSession = (object: unknown): boolean =>
  typeof object === "object" &&
  object !== null &&
  (object as { mode?: unknown }).mode === "subscription";

/** A subscription schedule, as Stripe's API answers it: only its phases' times are read. */
export const scheduleSchema = z.object({
  id: stripeId,
  object: z.literal("subscription_schedule"),
  phases: z.array(z.object({ start_date: seconds, end_date: seconds })).min(1),
});
