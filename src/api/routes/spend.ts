import { z } from "zod";
import { DEFAULT_COSTS } from "../../ledger/credits.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { CURRENCIES } from "../../billing/currency.js";
import { accountCurrency } from "../account-currency.js";
import { commonErrors } from "../errors.js";
import { formatCents, formatPerCredit } from "../present.js";
import { BEARER_SECURITY, orgParams } from "../schemas.js";

const monthSchema = z.object({
  month: z.string().describe('"YYYY-MM" (UTC)'),
  purchases: z.number().int(),
  credits: z.number().int().describe("Credits those purchases granted"),
  paid: z.string().describe('In the currency above, as a decimal string, e.g. "122.50"'),
  paidCents: z.number().int(),
  perReview: z
    .string()
    .nullable()
    .describe("What a review cost in those purchases (in the currency); null with none"),
});

const spendSchema = z
  .object({
    organization: z.string(),
    currency: z
      .enum(CURRENCIES)
      .describe(
        "The organization's billing currency (usd before its first payment); only purchases paid in it count",
      ),
    thisMonth: monthSchema,
    lastMonth: monthSchema,
  })
  .meta({ id: "Spend" });

type Deps = Pick<BillingApiDeps, "spend"> & AuthDeps;

/**
 * GET /organizations/:org/billing/spend: money paid for credits this month and last month
 * (src/billing/spend.ts), beside the credits it bought and so the price of a review.
 */
export function spendRoute(api: ApiInstance, deps: Deps): void {
  api.get(
    "/organizations/:org/billing/spend",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        tags: ["billing"],
        summary: "Money paid for credits this month and last month",
        security: BEARER_SECURITY,
        params: orgParams,
        response: { 200: spendSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { account } = callerOf(request);
      const currency = accountCurrency(account);
      const [thisMonth, lastMonth] = await deps.spend(account.id, currency);
      const show = (m: typeof thisMonth) => ({
        ...m,
        paid: formatCents(m.paidCents),
        perReview:
          m.credits > 0 ? formatPerCredit(m.paidCents * DEFAULT_COSTS.review, m.credits) : null,
      });
      return {
        organization: account.login,
        currency,
        thisMonth: show(thisMonth),
        lastMonth: show(lastMonth),
      };
    },
  );
}
