/**
 * The invoice list (GET .../billing/invoices): a page of the account's invoices, newest
 * first, read from what Stripe's events left in the invoice store, so a page never calls
 * Stripe. The credits each invoice paid for are read from the ledger entry it names
 * (`grantKey`) at reading time: the grant and the invoice arrive by separate events in any
 * order, and a grant written after the invoice still shows.
 */
import type { AccountId } from "../accounts/types.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import { decodeKeysetCursor, encodeKeysetCursor } from "../shared/keyset-cursor.js";
import type { InvoicePosition, InvoiceRecord, InvoiceStore } from "./invoice-store.js";

export const DEFAULT_INVOICE_PAGE = 20;
export const MAX_INVOICE_PAGE = 100;

export interface ListedInvoice extends InvoiceRecord {
  /** What the grant it paid for added; null when it names none, or none is written yet. */
  creditsGranted: number | null;
}

export interface InvoicePage {
  invoices: ListedInvoice[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface InvoiceListDeps {
  invoices: Pick<InvoiceStore, "list">;
  ledger: Pick<LedgerStore, "rowByKey">;
}

export function createInvoiceList(deps: InvoiceListDeps) {
  return async (
    accountId: AccountId,
    query: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<InvoicePage> => {
    const limit = query.limit ?? DEFAULT_INVOICE_PAGE;
    const before = query.cursor === undefined ? undefined : decodeInvoiceCursor(query.cursor);
    // One more than asked tells whether another page exists.
    const found = await deps.invoices.list(accountId, { before, limit: limit + 1 });
    const page = found.slice(0, limit);
    const invoices = await Promise.all(
      page.map(async (invoice) => {
        const entry = invoice.grantKey
          ? await deps.ledger.rowByKey(accountId, invoice.grantKey)
          : null;
        return { ...invoice, creditsGranted: entry ? entry.amount : null };
      }),
    );
    const last = page.at(-1);
    return {
      invoices,
      nextCursor: found.length > limit && last ? encodeInvoiceCursor(last) : null,
    };
  };
}

export type InvoiceList = ReturnType<typeof createInvoiceList>;

export const encodeInvoiceCursor = (p: InvoicePosition): string =>
  encodeKeysetCursor({ at: p.createdAt, id: p.invoiceId });

/** A cursor this API handed out; anything else is a 400, never a query. */
export function decodeInvoiceCursor(cursor: string): InvoicePosition {
  const { at, id } = decodeKeysetCursor(cursor, /^in_[A-Za-z0-9]{1,250}$/);
  return { createdAt: at, invoiceId: id };
}
