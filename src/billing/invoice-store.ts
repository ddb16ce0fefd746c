/**
 * The Stripe invoices of each account, as Stripe's invoice events leave them
 * (invoice-events.ts), so that the invoice list (GET .../billing/invoices) is read from here
 * and never calls Stripe per page. Matched to the account by the stored Stripe customer,
 * never by metadata.
 *
 * Implementations (src/store/memory, src/store/mongo) keep these promises, which
 * test/contract checks against every implementation available:
 *
 * - An invoice id is recorded once, for one account: `put` of the same id for another
 *   account changes nothing and answers "conflict" (a unique index in MongoDB).
 * - `put` replaces the record whole only when its `version` is greater than the stored one,
 *   in one conditional write: a state Stripe left earlier, delivered late, answers "stale"
 *   and changes nothing, so a late `invoice.finalized` never overwrites `paid`.
 * - `list` is one account's, newest first by (createdAt, invoiceId), after the cursor.
 * - Nothing returned is a live database document.
 */
import type { AccountId } from "../accounts/types.js";

/** Stripe's invoice statuses (Invoice.Status). */
export const INVOICE_STATUSES = ["draft", "open", "paid", "uncollectible", "void"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export interface InvoiceLine {
  description: string | null;
  /** Integer cents of the invoice's currency. */
  amount: number;
  quantity: number | null;
  periodStart: Date;
  periodEnd: Date;
}

export interface InvoiceRecord {
  accountId: AccountId;
  /** Stripe's ids (in_..., cus_...). */
  invoiceId: string;
  customerId: string;
  /** Stripe's invoice number; null before it is finalized. */
  number: string | null;
  status: InvoiceStatus;
  /** Stripe's creation time of the invoice: the list's order. */
  createdAt: Date;
  /** When it was finalized (issued); null for a draft. */
  issuedAt: Date | null;
  paidAt: Date | null;
  /** Integer cents: before tax, the tax (sum of total_taxes), and the total with tax. */
  subtotal: number;
  tax: number;
  total: number;
  currency: string;
  lines: InvoiceLine[];
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  /**
   * The idempotency key of the ledger entry this invoice paid for (a package's purchase, a
   * plan month's grant), when Jasper could tell; the list reads the credits granted from it.
   */
  grantKey: string | null;
  /**
   * Which of Stripe's states this is, increasing with each of its status transitions
   * (invoice-events.ts, `invoiceVersion`): the newer one wins.
   */
  version: number;
}

export type InvoicePutResult =
  | { status: "saved" }
  /** A state at least as new is stored: nothing changed. */
  | { status: "stale" }
  /** The invoice id is another account's: nothing changed. */
  | { status: "conflict" };

/** After this invoice in newest-first order: the page cursor. */
export interface InvoicePosition {
  createdAt: Date;
  invoiceId: string;
}

export interface InvoiceStore {
  put(record: InvoiceRecord): Promise<InvoicePutResult>;
  find(accountId: AccountId, invoiceId: string): Promise<InvoiceRecord | null>;
  /** The account's invoices, newest first, after `before`, at most `limit`. */
  list(
    accountId: AccountId,
    query: { before?: InvoicePosition | undefined; limit: number },
  ): Promise<InvoiceRecord[]>;
}
