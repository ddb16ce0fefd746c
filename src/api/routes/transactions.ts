import { z } from "zod";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../ledger/inputs.js";
import { ENTRY_TYPES } from "../../ledger/types.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors } from "../errors.js";
import { presentEntry } from "../present.js";
import { instant, listFilter } from "./query-params.js";
import { BEARER_SECURITY, bucketsSchema, orgParams, timestamp } from "../schemas.js";

/** `type=usage,refund` or `type=usage&type=refund`; duplicates are dropped. */
const typeFilter = listFilter(ENTRY_TYPES).describe(
  `Entry types, comma-separated or repeated: ${ENTRY_TYPES.join(", ")}`,
);

const querySchema = z
  .strictObject({
    type: typeFilter.optional(),
    from: instant.optional().describe("Entries created at or after this instant"),
    to: instant.optional().describe("Entries created before this instant"),
    cursor: z.string().min(1).max(100).optional().describe("nextCursor of the previous page"),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE_SIZE)
      .optional()
      .describe(`Page size, default ${DEFAULT_PAGE_SIZE}`),
    format: z.enum(["json", "csv"]).optional().describe("csv: the history as a CSV download"),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, {
    message: "must be before `to`",
    path: ["from"],
  });

const transactionSchema = z
  .object({
    id: z.string(),
    createdAt: timestamp,
    type: z.enum(ENTRY_TYPES),
    amount: z.number().int().describe("Signed change of the balance"),
    buckets: bucketsSchema.describe("Signed change per bucket"),
    balanceAfter: z.number().int(),
    description: z.string(),
    pullRequest: z
      .object({
        repository: z.string(),
        number: z.number().int(),
        url: z.string().nullable(),
        headSha: z.string().nullable(),
      })
      .nullable()
      .describe("The pull request a usage or refund entry is about"),
    stripe: z
      .object({
        checkoutSession: z.string().nullable(),
        paymentIntent: z.string().nullable(),
        receiptUrl: z.string().nullable(),
        paid: z
          .object({
            amount: z.string().describe('A decimal string in the currency, e.g. "114.00"'),
            amountCents: z.number().int(),
            currency: z.string().describe('Lowercase ISO code, e.g. "eur"'),
          })
          .optional()
          .describe("What Stripe charged; only on purchases recorded since it was kept"),
      })
      .nullable()
      .describe("The Stripe payment a purchase (or its refund) is about"),
    expiresAt: timestamp
      .nullable()
      .optional()
      .describe("Bonus grants only: when what is left of the grant expires; null for never"),
    refundRequest: z
      .object({
        login: z.string().describe("The GitHub user who asked"),
        reason: z.string().describe("The reason they gave"),
      })
      .optional()
      .describe(
        "Refunds asked for on the pull request (`/jasper refund <reason>`) only; absent on automatic refunds",
      ),
  })
  .meta({ id: "Transaction" });

const pageSchema = z.object({
  transactions: z.array(transactionSchema).describe("Newest first"),
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null at the end"),
});

type Deps = Pick<BillingApiDeps, "ledger"> & AuthDeps;

/**
 * GET /organizations/:org/billing/transactions: a page of ledger entries, newest first, or
 * (Accept: text/csv, or format=csv) the whole history as CSV, streamed, with the type and
 * date filters applied and no paging.
 */
export function transactionsRoute(api: ApiInstance, deps: Deps): void {
  api.get(
    "/organizations/:org/billing/transactions",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        tags: ["billing"],
        summary: "Ledger entries, newest first; CSV export",
        security: BEARER_SECURITY,
        params: orgParams,
        querystring: querySchema,
        response: {
          200: {
            description: "A page of entries, or the whole history as CSV",
            content: {
              "application/json": { schema: pageSchema },
              "text/csv": { schema: z.string().describe("Header row, then one row per entry") },
            },
          },
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const { account } = callerOf(request);
      const q = request.query;
      if (wantsCsv(q.format, request.headers.accept)) {
        const csv = deps.ledger.export(account.id, { types: q.type, from: q.from, to: q.to });
        const name = `jasper-${account.login.replace(/[^A-Za-z0-9_.-]/g, "_")}-transactions.csv`;
        return (
          reply
            .type("text/csv; charset=utf-8")
            .header("content-disposition", `attachment; filename="${name}"`)
            // The text/csv schema says string; a stream of it is sent as is (no serializer runs).
            .send(csv as unknown as string)
        );
      }
      const page = await deps.ledger.list(account.id, {
        types: q.type,
        from: q.from,
        to: q.to,
        cursor: q.cursor,
        limit: q.limit ?? DEFAULT_PAGE_SIZE,
      });
      return reply.type("application/json").send({
        transactions: page.entries.map(presentEntry),
        nextCursor: page.nextCursor,
      });
    },
  );
}

/** format wins; else an Accept that names text/csv and not JSON first. */
export function wantsCsv(format: "json" | "csv" | undefined, accept: string | undefined): boolean {
  if (format) return format === "csv";
  const types = (accept ?? "").split(",").map((t) => t.split(";")[0]!.trim().toLowerCase());
  const csv = types.indexOf("text/csv");
  const json = types.indexOf("application/json");
  return csv !== -1 && (json === -1 || csv < json);
}
