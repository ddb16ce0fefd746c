import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import {
  monthOf,
  sortUsage,
  USAGE_GROUPINGS,
  USAGE_SORTS,
  type UsageRow,
} from "../../usage/usage-report.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors } from "../errors.js";
import { BEARER_SECURITY, orgParams } from "../schemas.js";
import { wantsCsv } from "./transactions.js";

const querySchema = z.strictObject({
  month: z
    .string()
    .regex(/^(20\d\d)-(0[1-9]|1[0-2])$/, "must be YYYY-MM")
    .optional()
    .describe("The month (UTC), default the current one; e.g. the previous month for last month's"),
  by: z.enum(USAGE_GROUPINGS).default("repository").describe("Group by repository or PR author"),
  sort: z.enum(USAGE_SORTS).default("net").describe("Column to sort by; key is the group's name"),
  order: z.enum(["asc", "desc"]).optional().describe("Default desc (A-Z for key)"),
  format: z.enum(["json", "csv"]).optional().describe("csv: the rows as a CSV download"),
});

const counts = {
  reviews: z.number().int().describe("Charged reviews (usage entries) this month"),
  charged: z.number().int().describe("Credits those reviews took"),
  refunds: z.number().int().describe("Refunds given this month"),
  refunded: z.number().int().describe("Credits those refunds gave back"),
  net: z.number().int().describe("charged - refunded"),
};
const rowSchema = z
  .object({
    key: z.string().describe('Repository or author login; "unknown" if not recorded'),
    ...counts,
  })
  .meta({ id: "UsageRow" });
const reportSchema = z
  .object({
    organization: z.string(),
    month: z.string(),
    by: z.enum(USAGE_GROUPINGS),
    rows: z.array(rowSchema),
    total: z.object(counts),
  })
  .meta({ id: "UsageReport" });

const CSV_COLUMNS = ["key", "reviews", "charged", "refunds", "refunded", "net"] as const;

type Deps = Pick<BillingApiDeps, "usage" | "now"> & AuthDeps;

/**
 * GET /organizations/:org/billing/usage: one month's reviews, charges and refunds by
 * repository or by pull request author, from the ledger's entries (usage before the author
 * was recorded groups as "unknown"). JSON, or CSV with Accept: text/csv or format=csv.
 */
export function usageRoute(api: ApiInstance, deps: Deps): void {
  api.get(
    "/organizations/:org/billing/usage",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        tags: ["billing"],
        summary: "Usage by repository or by pull request author for a month; CSV export",
        security: BEARER_SECURITY,
        params: orgParams,
        querystring: querySchema,
        response: {
          200: {
            description: "The month's usage, grouped",
            content: {
              "application/json": { schema: reportSchema },
              "text/csv": { schema: z.string().describe("Header row, then one row per group") },
            },
          },
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const { account } = callerOf(request);
      const q = request.query;
      const month = q.month ?? monthOf((deps.now ?? (() => new Date()))());
      const report = await deps.usage(account.id, month, q.by);
      const rows = sortUsage(report.rows, q.sort, q.order ?? (q.sort === "key" ? "asc" : "desc"));
      if (wantsCsv(q.format, request.headers.accept)) {
        const name = `jasper-${account.login.replace(/[^A-Za-z0-9_.-]/g, "_")}-usage-${month}-by-${q.by}.csv`;
        const csv = stringify([
          [q.by, ...CSV_COLUMNS.slice(1)],
          ...rows.map((r: UsageRow) => CSV_COLUMNS.map((c) => r[c])),
        ]);
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="${name}"`)
          .send(csv);
      }
      return reply.type("application/json").send({
        organization: account.login,
        month,
        by: q.by,
        rows,
        total: report.total,
      });
    },
  );
}
