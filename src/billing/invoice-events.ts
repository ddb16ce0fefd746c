/**
 * Stripe's invoice events kept as the account's invoices (invoice-store.ts), for the invoice
 * list: `invoice.finalized`, `invoice.paid`, `invoice.payment_failed`, `invoice.voided` and
 * `invoice.marked_uncollectible`. Nothing here grants or takes credits: the purchase and the
 * plan month are granted by their own events; an invoice only names the grant it paid for.
 *
 * The account is the one whose stored Stripe customer the invoice is for
 * (stripe-customer-store.ts), never what metadata says: an invoice of a customer Jasper did
 * not create is ignored (logged, answered 2xx, nothing stored).
 *
 * Stripe delivers at least once and in any order. Each delivery carries the invoice whole, so
 * each is stored whole, with a version that grows with every status transition Stripe made
 * (`invoiceVersion`); the store writes only a newer version, in one conditional write. A late
 * `invoice.finalized` therefore never overwrites `paid`, and a redelivery changes nothing.
 */
import type Stripe from "stripe";
import { z } from "zod";
import type { AccountId } from "../accounts/types.js";
import { planMonthKey } from "../ledger/plan-bucket.js";
import type { CheckoutSessionStore } from "./checkout-session-store.js";
import {
  INVOICE_STATUSES,
  type InvoiceLine,
  type InvoiceRecord,
  type InvoiceStatus,
  type InvoiceStore,
} from "./invoice-store.js";
import type { StripeCustomerStore } from "./stripe-customer-store.js";
import { failedFields, idOf } from "./stripe-event-schemas.js";

/** The event types kept; the dispatcher (stripe-events.ts) hands these over. */
export const INVOICE_EVENT_TYPES: ReadonlySet<string> = new Set([
  "invoice.finalized",
  "invoice.paid",
  "invoice.payment_failed",
  "invoice.voided",
  "invoice.marked_uncollectible",
]);

/** The purchase entry's key (stripe-events.ts writes it): one grant per Checkout Session. */
export const purchaseGrantKey = (sessionId: string) => `stripe-checkout:${sessionId}`;

/** Lines kept per invoice: Jasper's have one or two; the list is not a ledger. */
const MAX_LINES = 50;
/** Same limit as the ledger's URL check. */
const MAX_URL_LENGTH = 2000;

const stripeId = z.string().min(1).max(255);
const expandable = z.union([stripeId, z.object({ id: stripeId })]).nullable();
const seconds = z.number().int().nonnegative();
const amount = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
const url = z
  .string()
  .max(MAX_URL_LENGTH)
  .regex(/^https:\/\//)
  .nullish()
  .catch(null);

const lineSchema = z.object({
  description: z.string().max(1000).nullable(),
  amount,
  quantity: z.number().int().nonnegative().nullable(),
  period: z.object({ start: seconds, end: seconds }),
  parent: z.object({ type: z.string() }).nullish(),
});

/** The invoice fields kept, checked before they are read (API 2026-10-28 shapes). */
export const invoiceSchema = z.object({
  id: stripeId,
  object: z.literal("invoice"),
  customer: expandable,
  status: z.enum(INVOICE_STATUSES),
  number: z.string().max(255).nullable(),
  created: seconds,
  currency: z.string().regex(/^[a-z]{3}$/),
  subtotal: amount,
  total: amount,
  // API 2026-10-28: total_taxes replaces total_tax_amounts; null when no tax applies.
  total_taxes: z.array(z.object({ amount })).nullable(),
  billing_reason: z.string().nullable(),
  status_transitions: z.object({
    finalized_at: seconds.nullable(),
    paid_at: seconds.nullable(),
    voided_at: seconds.nullable(),
    marked_uncollectible_at: seconds.nullable(),
  }),
  lines: z.object({ data: z.array(lineSchema), has_more: z.boolean() }),
  hosted_invoice_url: url,
  invoice_pdf: url,
  // API 2026-10-28: no invoice.subscription; the subscription is under parent.
  parent: z
    .object({ subscription_details: z.object({ subscription: expandable }).nullable() })
    .nullable(),
});
export type InvoiceObject = z.infer<typeof invoiceSchema>;

/** Within one second, which status comes later: Stripe moves an invoice only this way. */
const STATUS_RANK: Record<InvoiceStatus, number> = {
  draft: 0,
  open: 1,
  uncollectible: 2,
  paid: 3,
  void: 4,
};

/**
 * How new a state of the invoice is: the latest of its status transitions (the creation for
 * a draft), then its status within that second (finalized and paid in the same second, as a
 * Checkout payment is, is paid). Stripe's transitions only move forward (draft, open, then
 * paid, void or uncollectible; uncollectible then paid or void), so the later state always
 * has the greater version, whichever event brought it.
 */
export function invoiceVersion(invoice: InvoiceObject): number {
  const t = invoice.status_transitions;
  const latest = Math.max(
    invoice.created,
    t.finalized_at ?? 0,
    t.paid_at ?? 0,
    t.voided_at ?? 0,
    t.marked_uncollectible_at ?? 0,
  );
  return latest * 8 + STATUS_RANK[invoice.status];
}

export type InvoiceEventOutcome =
  | { result: "invoice_recorded" | "invoice_outdated" }
  | { result: "ignored"; reason: "malformed" | "not_ours"; detail: string };

export interface InvoiceEventsDeps {
  stripe: Stripe;
  customers: Pick<StripeCustomerStore, "findByCustomerAcrossAccounts">;
  invoices: Pick<InvoiceStore, "put">;
  /** The Checkout Sessions Jasper recorded: a package's invoice names its purchase by them. */
  sessions: Pick<CheckoutSessionStore, "find">;
}

const date = (s: number | null) => (s === null ? null : new Date(s * 1000));

export function createInvoiceEvents(deps: InvoiceEventsDeps) {
  /**
   * Keeps the invoice the event carries. Returns what it did, "ignored" included; a Stripe
   * API or store failure is thrown, so the route answers 500 and Stripe redelivers.
   */
  async function keep(object: unknown): Promise<InvoiceEventOutcome> {
    const parsed = invoiceSchema.safeParse(object);
    if (!parsed.success) {
      return {
        result: "ignored",
        reason: "malformed",
        detail: `not an invoice: ${failedFields(parsed.error)}`,
      };
    }
    const invoice = parsed.data;
    const customerId = idOf(invoice.customer);
    const owner = customerId ? await deps.customers.findByCustomerAcrossAccounts(customerId) : null;
    if (!owner) {
      return {
        result: "ignored",
        reason: "not_ours",
        detail: `invoice ${invoice.id} is for a customer Jasper did not create`,
      };
    }
    const lines = await linesOf(invoice);
    const record: InvoiceRecord = {
      accountId: owner.accountId,
      invoiceId: invoice.id,
      customerId: owner.customerId,
      number: invoice.number,
      status: invoice.status,
      createdAt: new Date(invoice.created * 1000),
      issuedAt: date(invoice.status_transitions.finalized_at),
      paidAt: date(invoice.status_transitions.paid_at),
      subtotal: invoice.subtotal,
      tax: (invoice.total_taxes ?? []).reduce((sum, t) => sum + t.amount, 0),
      total: invoice.total,
      currency: invoice.currency,
      lines,
      hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
      invoicePdf: invoice.invoice_pdf ?? null,
      grantKey: await grantKeyOf(owner.accountId, invoice),
      version: invoiceVersion(invoice),
    };
    const put = await deps.invoices.put(record);
    if (put.status === "conflict") {
      return {
        result: "ignored",
        reason: "not_ours",
        detail: `invoice ${invoice.id} is recorded for another account`,
      };
    }
    return { result: put.status === "saved" ? "invoice_recorded" : "invoice_outdated" };
  }

  /** The event's lines, or all of them from Stripe when the event carries only the first. */
  async function linesOf(invoice: InvoiceObject): Promise<InvoiceLine[]> {
    let raw: unknown[] = invoice.lines.data;
    if (invoice.lines.has_more) {
      raw = [];
      for await (const line of deps.stripe.invoices.listLineItems(invoice.id, { limit: 100 })) {
        raw.push(line);
        if (raw.length >= MAX_LINES) break;
      }
    }
    return raw.slice(0, MAX_LINES).flatMap((line) => {
      const l = lineSchema.safeParse(line);
      if (!l.success) return [];
      return [
        {
          description: l.data.description,
          amount: l.data.amount,
          quantity: l.data.quantity,
          periodStart: new Date(l.data.period.start * 1000),
          periodEnd: new Date(l.data.period.end * 1000),
        },
      ];
    });
  }

  /**
   * The key of the ledger entry the invoice paid for, when Jasper can tell; the list reads the
   * credits from it. A subscription's first or renewal invoice pays its plan month (keyed by
   * subscription and the month's start, plan-months.ts); a paid one-off invoice is a package's
   * when its payment is a Checkout Session Jasper recorded for this very account. Anything
   * else (a proration, an unpaid invoice) names none.
   */
  async function grantKeyOf(accountId: AccountId, invoice: InvoiceObject): Promise<string | null> {
    const subscription = idOf(invoice.parent?.subscription_details?.subscription ?? null);
    if (subscription) {
      const reason = invoice.billing_reason;
      if (reason !== "subscription_create" && reason !== "subscription_cycle") return null;
      const line = invoice.lines.data.find((l) => l.parent?.type === "subscription_item_details");
      return line ? planMonthKey(subscription, new Date(line.period.start * 1000)) : null;
    }
    if (invoice.status !== "paid") return null;
    const payments = await deps.stripe.invoicePayments.list({ invoice: invoice.id, limit: 10 });
    const paid = payments.data.find((p) => p.status === "paid" && p.payment.payment_intent);
    const paymentIntent = paid ? idOf(paid.payment.payment_intent ?? null) : undefined;
    if (!paymentIntent) return null;
    const sessions = await deps.stripe.checkout.sessions.list({
      payment_intent: paymentIntent,
      limit: 1,
    });
    const session = sessions.data[0];
    if (!session || idOf(session.payment_intent) !== paymentIntent) return null;
    const recorded = await deps.sessions.find(session.id);
    return recorded && recorded.accountId === accountId ? purchaseGrantKey(session.id) : null;
  }

  return { keep };
}

export type InvoiceEvents = ReturnType<typeof createInvoiceEvents>;
