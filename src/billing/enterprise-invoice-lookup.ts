/**
 * Finds, at Stripe, the invoice an earlier roll made for an enterprise plan month, so that a
 * roll retried after Stripe has forgotten its idempotency keys (about 24 hours) continues that
 * invoice instead of making a second one. Matched on the metadata Jasper sets on the invoice and
 * its item (account, subscription, month start), never on amounts or descriptions: the
 * customer may hold other months' and other plans' invoices, and an operator may edit lines.
 *
 * invoices.list is read, not invoices.search: the list is strongly consistent, so an invoice
 * created a moment before a crash is seen by the retry; search lags by up to a minute.
 */
import type Stripe from "stripe";

/** The metadata Jasper sets on a month's invoice and its item. */
export interface MonthInvoiceTags {
  jasperAccountId: string;
  jasperSubscription: string;
  jasperMonthStart: string;
}

/**
 * How long before the month's start an invoice of it may say it was created: an invoice is made
 * after the month's grant, so only clock skew between Jasper and Stripe is covered, generously.
 */
const CREATED_MARGIN_SECONDS = 24 * 60 * 60;

/** Invoices read at most per lookup (ten pages): a customer has a handful in a month. */
export const MAX_INVOICES_SCANNED = 1000;

const PAGE = 100;

const isOfMonth = (metadata: Stripe.Metadata | null | undefined, tags: MonthInvoiceTags) =>
  metadata?.["jasperAccountId"] === tags.jasperAccountId &&
  metadata["jasperSubscription"] === tags.jasperSubscription &&
  metadata["jasperMonthStart"] === tags.jasperMonthStart;

/** An operator voided it or wrote it off: the month is not to be billed again by Jasper. */
export const isClosedByOperator = (
  status: Stripe.Invoice.Status | null,
): status is "void" | "uncollectible" => status === "void" || status === "uncollectible";

/** Made by Jasper and not closed: to be completed (draft), sent (open) or only recorded (paid). */
export const isLive = (status: Stripe.Invoice.Status | null): status is "draft" | "open" | "paid" =>
  status === "draft" || status === "open" || status === "paid";

/**
 * The month's invoice at Stripe, or null when it has none. Several can exist only if the month
 * was billed twice before this lookup existed: a live one (draft, open, paid) is preferred to
 * one an operator closed, and among equals the oldest, the one Jasper made first.
 * Throws when the customer has more invoices since the month started than are read: whether the
 * month has one cannot be told then, and not billing it (the roll logs the error each minute)
 * is safer than billing it twice.
 */
export async function findMonthInvoice(
  stripe: Stripe,
  customer: string,
  monthStart: Date,
  tags: MonthInvoiceTags,
): Promise<Stripe.Invoice | null> {
  const gte = Math.floor(monthStart.getTime() / 1000) - CREATED_MARGIN_SECONDS;
  const found: Stripe.Invoice[] = [];
  let scanned = 0;
  for await (const invoice of stripe.invoices.list({ customer, created: { gte }, limit: PAGE })) {
    if (++scanned > MAX_INVOICES_SCANNED) {
      if (found.length > 0) break;
      throw new Error(
        `more than ${MAX_INVOICES_SCANNED} invoices of ${customer} since ${tags.jasperMonthStart}: ` +
          "cannot tell whether the enterprise month is invoiced, so none is made",
      );
    }
    if (isOfMonth(invoice.metadata, tags)) found.push(invoice);
  }
  const rank = (i: Stripe.Invoice) => (isClosedByOperator(i.status) ? 1 : 0);
  found.sort((a, b) => rank(a) - rank(b) || a.created - b.created);
  return found[0] ?? null;
}

/**
 * Whether a draft already carries the month's item (an earlier roll made it, then stopped).
 * Read from the invoice's items, whose metadata is exactly what Jasper set, rather than from
 * its lines. Throws when the draft has more items than one page and none of them is the
 * month's: adding the item then could bill the month twice on one invoice.
 */
export async function hasMonthItem(
  stripe: Stripe,
  invoice: string,
  tags: MonthInvoiceTags,
): Promise<boolean> {
  const page = await stripe.invoiceItems.list({ invoice, limit: PAGE });
  if (page.data.some((item) => isOfMonth(item.metadata, tags))) return true;
  if (page.has_more) {
    throw new Error(
      `draft ${invoice} has more than ${PAGE} items: cannot tell whether the month's is one`,
    );
  }
  return false;
}
