import { z } from "zod";
import { MAX_INVOICE_PAGE, DEFAULT_INVOICE_PAGE } from "../../billing/invoice-list.js";
import type { ListedInvoice } from "../../billing/invoice-list.js";
import { INVOICE_STATUSES } from "../../billing/invoice-store.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors } from "../errors.js";
import { BEARER_SECURITY, orgParams, timestamp } from "../schemas.js";

const querySchema = z.strictObject({
  cursor: z.string().min(1).max(400).optional().describe("nextCursor of the previous page"),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_INVOICE_PAGE)
    .optional()
    .describe(`Page size, default ${DEFAULT_INVOICE_PAGE}`),
});

const cents = z.number().int().describe("Integer cents of the invoice's currency");

const invoiceSchema = z
  .object({
    id: z.string().describe("Stripe's invoice id"),
    number: z.string().nullable().describe("Stripe's invoice number; null before it is issued"),
    status: z.enum(INVOICE_STATUSES),
    createdAt: timestamp,
    issuedAt: timestamp.nullable().describe("When Stripe finalized it"),
    paidAt: timestamp.nullable(),
    subtotal: cents,
    tax: cents,
    total: cents.describe("With tax"),
    currency: z.string(),
    creditsGranted: z
      .number()
      .int()
      .nullable()
      .describe("Credits the purchase or plan month it paid for granted; null when none is known"),
    lines: z.array(
      z.object({
        description: z.string().nullable(),
        amount: cents,
        quantity: z.number().int().nullable(),
        periodStart: timestamp,
        periodEnd: timestamp,
      }),
    ),
    hostedInvoiceUrl: z.string().nullable().describe("Stripe's hosted invoice page"),
    invoicePdf: z.string().nullable().describe("The invoice as a PDF, from Stripe"),
  })
  .meta({ id: "Invoice" });

const pageSchema = z.object({
  invoices: z.array(invoiceSchema).describe("Newest first"),
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null at the end"),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const present = (i: ListedInvoice): z.infer<typeof invoiceSchema> => ({
  id: i.invoiceId,
  number: i.number,
  status: i.status,
  createdAt: i.createdAt.toISOString(),
  issuedAt: iso(i.issuedAt),
  paidAt: iso(i.paidAt),
  subtotal: i.subtotal,
  tax: i.tax,
  total: i.total,
  currency: i.currency,
  creditsGranted: i.creditsGranted,
  lines: i.lines.map((l) => ({
    description: l.description,
    amount: l.amount,
    quantity: l.quantity,
    periodStart: l.periodStart.toISOString(),
    periodEnd: l.periodEnd.toISOString(),
  })),
  hostedInvoiceUrl: i.hostedInvoiceUrl,
  invoicePdf: i.invoicePdf,
});

type Deps = Pick<BillingApiDeps, "invoices"> & AuthDeps;

/**
 * GET /organizations/:org/billing/invoices: the account's Stripe invoices, newest first,
 * from what Stripe's invoice events left (no Stripe call per page). The same access as the
 * other billing reads; only ever that account's own invoices (requireOrgAccess resolves it).
 */
export function invoicesRoute(api: ApiInstance, deps: Deps): void {
  api.get(
    "/organizations/:org/billing/invoices",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        tags: ["billing"],
        summary: "Invoices (package purchases and subscriptions), newest first",
        security: BEARER_SECURITY,
        params: orgParams,
        querystring: querySchema,
        response: { 200: pageSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { account } = callerOf(request);
      const page = await deps.invoices(account.id, request.query);
      return { invoices: page.invoices.map(present), nextCursor: page.nextCursor };
    },
  );
}
