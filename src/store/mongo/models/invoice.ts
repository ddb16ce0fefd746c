import { Schema, type Connection, type Model, type Types } from "mongoose";
import { INVOICE_STATUSES, type InvoiceRecord } from "../../../billing/invoice-store.js";
import { integer } from "./integer-validators.js";

/** A Stripe invoice as Jasper keeps it: the domain record with `_id` and a plain account id. */
export type InvoiceDoc = Omit<InvoiceRecord, "accountId"> & {
  _id: Types.ObjectId;
  accountId: number;
};

const lineSchema = new Schema(
  {
    description: { type: String, default: null },
    amount: { type: Number, required: true, validate: integer },
    quantity: { type: Number, default: null },
    periodStart: { type: Date, required: true },
    periodEnd: { type: Date, required: true },
  },
  { _id: false, strict: true },
);

export const invoiceSchema = new Schema<InvoiceDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    invoiceId: { type: String, required: true },
    customerId: { type: String, required: true },
    number: { type: String, default: null },
    status: { type: String, required: true, enum: [...INVOICE_STATUSES] },
    createdAt: { type: Date, required: true },
    issuedAt: { type: Date, default: null },
    paidAt: { type: Date, default: null },
    // Integer cents; a credit note can make a total negative, so no min.
    subtotal: { type: Number, required: true, validate: integer },
    tax: { type: Number, required: true, validate: integer },
    total: { type: Number, required: true, validate: integer },
    currency: { type: String, required: true, match: /^[a-z]{3}$/ },
    lines: { type: [lineSchema], default: [] },
    hostedInvoiceUrl: { type: String, default: null },
    invoicePdf: { type: String, default: null },
    grantKey: { type: String, default: null },
    version: { type: Number, required: true, min: 0, validate: integer },
  },
  { collection: "invoices", strict: true, versionKey: false },
);

// An invoice belongs to one account, recorded once: the conditional put relies on it.
invoiceSchema.index({ invoiceId: 1 }, { unique: true });
// The account's list, newest first, paged by (createdAt, invoiceId).
invoiceSchema.index({ accountId: 1, createdAt: -1, invoiceId: -1 });

export type InvoiceModel = Model<InvoiceDoc>;

export const invoiceModel = (conn: Connection): InvoiceModel =>
  conn.model<InvoiceDoc>("Invoice", invoiceSchema);
