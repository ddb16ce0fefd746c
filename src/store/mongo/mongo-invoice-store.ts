import { trusted } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type {
  InvoicePosition,
  InvoicePutResult,
  InvoiceRecord,
  InvoiceStore,
} from "../../billing/invoice-store.js";
import { isDuplicateKey } from "./duplicate-key.js";
import type { InvoiceDoc, InvoiceModel } from "./models/invoice.js";

/**
 * Invoices in MongoDB. `put` is one updateOne conditioned on the account and on an older
 * version, with upsert: when a state at least as new is stored, the filter matches nothing
 * and the upsert's insert hits the unique index on invoiceId; one read then tells "stale"
 * (the account's own) from "conflict" (another account's). Operator objects are wrapped in
 * trusted() (the connection runs with sanitizeFilter).
 */
export class MongoInvoiceStore implements InvoiceStore {
  constructor(private readonly invoices: InvoiceModel) {}

  async put(record: InvoiceRecord): Promise<InvoicePutResult> {
    const { invoiceId, accountId, ...rest } = record;
    try {
      await this.invoices.updateOne(
        { invoiceId, accountId: accountId as number, version: trusted({ $lt: record.version }) },
        { $set: rest, $setOnInsert: { invoiceId, accountId: accountId as number } },
        { upsert: true, runValidators: true },
      );
      return { status: "saved" };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const held = await this.invoices
        .findOne({ invoiceId }, { accountId: 1 })
        .lean<Pick<InvoiceDoc, "accountId">>();
      return held && held.accountId === (accountId as number)
        ? { status: "stale" }
        : { status: "conflict" };
    }
  }

  async find(accountId: AccountId, invoiceId: string): Promise<InvoiceRecord | null> {
    const doc = await this.invoices
      .findOne({ invoiceId, accountId: accountId as number })
      .lean<InvoiceDoc>();
    return doc ? toRecord(doc) : null;
  }

  async list(
    accountId: AccountId,
    query: { before?: InvoicePosition | undefined; limit: number },
  ): Promise<InvoiceRecord[]> {
    const filter: Record<string, unknown> = { accountId: accountId as number };
    const b = query.before;
    if (b) {
      filter.$or = [
        { createdAt: trusted({ $lt: b.createdAt }) },
        { createdAt: b.createdAt, invoiceId: trusted({ $lt: b.invoiceId }) },
      ];
    }
    const docs = await this.invoices
      .find(filter)
      .sort({ createdAt: -1, invoiceId: -1 })
      .limit(query.limit)
      .lean<InvoiceDoc[]>();
    return docs.map(toRecord);
  }
}

/** A stored document as a domain record: field by field, nothing mongoose-specific left. */
function toRecord(doc: InvoiceDoc): InvoiceRecord {
  return {
    accountId: toAccountId(doc.accountId),
    invoiceId: doc.invoiceId,
    customerId: doc.customerId,
    number: doc.number ?? null,
    status: doc.status,
    createdAt: doc.createdAt,
    issuedAt: doc.issuedAt ?? null,
    paidAt: doc.paidAt ?? null,
    subtotal: doc.subtotal,
    tax: doc.tax,
    total: doc.total,
    currency: doc.currency,
    lines: (doc.lines ?? []).map((l) => ({
      description: l.description ?? null,
      amount: l.amount,
      quantity: l.quantity ?? null,
      periodStart: l.periodStart,
      periodEnd: l.periodEnd,
    })),
    hostedInvoiceUrl: doc.hostedInvoiceUrl ?? null,
    invoicePdf: doc.invoicePdf ?? null,
    grantKey: doc.grantKey ?? null,
    version: doc.version,
  };
}
