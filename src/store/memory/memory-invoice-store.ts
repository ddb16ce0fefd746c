import type { AccountId } from "../../accounts/types.js";
import type {
  InvoicePosition,
  InvoicePutResult,
  InvoiceRecord,
  InvoiceStore,
} from "../../billing/invoice-store.js";

/** Invoices in process memory, unique by invoice id, newest version kept. */
export class MemoryInvoiceStore implements InvoiceStore {
  private readonly byId = new Map<string, InvoiceRecord>();

  async put(record: InvoiceRecord): Promise<InvoicePutResult> {
    const held = this.byId.get(record.invoiceId);
    if (held && held.accountId !== record.accountId) return { status: "conflict" };
    if (held && held.version >= record.version) return { status: "stale" };
    this.byId.set(record.invoiceId, copy(record));
    return { status: "saved" };
  }

  async find(accountId: AccountId, invoiceId: string): Promise<InvoiceRecord | null> {
    const held = this.byId.get(invoiceId);
    return held && held.accountId === accountId ? copy(held) : null;
  }

  async list(
    accountId: AccountId,
    query: { before?: InvoicePosition | undefined; limit: number },
  ): Promise<InvoiceRecord[]> {
    const b = query.before;
    return [...this.byId.values()]
      .filter((r) => r.accountId === accountId && (!b || newestFirst(r, b) > 0))
      .sort(newestFirst)
      .slice(0, query.limit)
      .map(copy);
  }
}

/** Negative when `a` comes before `b` in newest-first order. */
function newestFirst(a: InvoicePosition, b: InvoicePosition): number {
  const t = b.createdAt.getTime() - a.createdAt.getTime();
  if (t !== 0) return t;
  return a.invoiceId < b.invoiceId ? 1 : a.invoiceId > b.invoiceId ? -1 : 0;
}

const date = (d: Date | null) => (d ? new Date(d) : null);

const copy = (r: InvoiceRecord): InvoiceRecord => ({
  ...r,
  createdAt: new Date(r.createdAt),
  issuedAt: date(r.issuedAt),
  paidAt: date(r.paidAt),
  lines: r.lines.map((l) => ({
    ...l,
    periodStart: new Date(l.periodStart),
    periodEnd: new Date(l.periodEnd),
  })),
});
