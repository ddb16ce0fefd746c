import { z } from "zod";
import type { BudgetRules } from "../../accounts/budget-rules.js";
import type { AccountId } from "../../accounts/types.js";
import { budgetUse, setBudgetUse } from "../../budgets/budget-use.js";
import { DEFAULT_COSTS } from "../../ledger/credits.js";
import type { BalanceSummary } from "../../ledger/ledger.js";
import type { MonthUse } from "../../ledger/month-use.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import { setBudgetUseSchema } from "../budget-schemas.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { CURRENCIES } from "../../billing/currency.js";
import { accountCurrency } from "../account-currency.js";
import { commonErrors } from "../errors.js";
import { formatCents, formatPerCredit } from "../present.js";
import { BEARER_SECURITY, bucketsSchema, orgParams, timestamp } from "../schemas.js";

const bannerSchema = z.object({
  level: z
    .enum(["free", "critical", "depleted"])
    .describe("free: only this month's free credits are left (not an alarm)"),
  message: z.string(),
});

const billingSchema = z
  .object({
    organization: z.string(),
    balance: z.number().int(),
    buckets: bucketsSchema,
    freePeriod: z.string().describe('The month ("YYYY-MM", UTC) the free credits belong to'),
    nextFreeReset: timestamp,
    alertLevel: z.enum(["none", "warning", "critical", "depleted"]),
    banner: bannerSchema
      .nullable()
      .describe(
        "Shown when the balance is critical or depleted; at the critical level with only free credits left, the free reviews left",
      ),
    paused: z.boolean().describe("Automatic reviews are paused: the balance cannot pay for one"),
    usageThisMonth: z.number().int().describe("Credits spent this month, net of refunds"),
    runway: z
      .object({
        dailySpend: z.number().describe("Net credits spent per day over the last 14 days"),
        runsOutOn: z
          .string()
          .nullable()
          .describe('The day (UTC) the balance runs out at that pace; null: "more than 90 days"'),
        moreThan90Days: z.boolean(),
      })
      .optional()
      .describe("When the balance runs out at the net spend rate of the last 14 days"),
    budgets: setBudgetUseSchema,
    currency: z
      .enum(CURRENCIES)
      .describe("The organization's billing currency, fixed by its first payment; usd before"),
    currencyFixed: z
      .boolean()
      .describe("Whether a payment fixed it; before that a checkout may pick another"),
    balanceValue: z
      .object({
        amount: z.string().describe('In the currency above, as a decimal string, e.g. "24.50"'),
        amountCents: z.number().int(),
        perCredit: z.string().describe("The price per credit it is counted at"),
        pricedAt: timestamp.describe("When the purchase that price is from was made"),
      })
      .nullable()
      .describe(
        "The balance at the price per credit of the latest purchase paid in the currency (never an exchange rate); null with no such purchase or nothing left",
      ),
  })
  .meta({ id: "BillingSummary" });

type Deps = Pick<BillingApiDeps, "ledger" | "botName" | "runway" | "balanceValue"> & AuthDeps;

/** GET /organizations/:org/billing: balance, buckets, alert level and banner. */
export function billingSummaryRoute(api: ApiInstance, deps: Deps): void {
  api.get(
    "/organizations/:org/billing",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        tags: ["billing"],
        summary: "Balance and alert state",
        security: BEARER_SECURITY,
        params: orgParams,
        response: { 200: billingSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { account } = callerOf(request);
      const s = await deps.ledger.summary(account.id);
      const use = await monthUseFor(deps, account.budgets, account.id);
      const currency = accountCurrency(account);
      const value = (await deps.balanceValue?.(account.id, s.balance, currency)) ?? null;
      return {
        organization: account.login,
        balance: s.balance,
        buckets: s.buckets,
        freePeriod: s.freePeriod,
        nextFreeReset: s.nextFreeReset.toISOString(),
        alertLevel: s.alertLevel,
        banner: banner(s, deps.botName ?? "jasper"),
        paused: s.paused,
        usageThisMonth: s.usageThisMonth,
        ...(deps.runway ? { runway: await deps.runway(account.id, s.balance) } : {}),
        budgets: setBudgetUse(budgetUse(account.budgets, use)),
        currency,
        currencyFixed: account.billingCurrency !== undefined,
        balanceValue: value && {
          amount: formatCents(value.valueCents),
          amountCents: value.valueCents,
          perCredit: formatPerCredit(value.pricedBy.paidCents, value.pricedBy.credits),
          pricedAt: value.pricedBy.at.toISOString(),
        },
      };
    },
  );
}

/**
 * The month's use the summary's budgets need: its counters only when a repository or an
 * author budget is set (the billing summary lists only the budgets that are set), and only
 * those kinds. Without them, the totals on the newest entry.
 */
async function monthUseFor(
  deps: Pick<Deps, "ledger">,
  rules: BudgetRules,
  accountId: AccountId,
): Promise<MonthUse> {
  const kinds = {
    repositories: rules.repositories.length > 0,
    authors: rules.authorDefault !== null || rules.authors.length > 0,
  };
  // Each counter from the newest entry carrying it (Ledger.monthCounters), not the month.
  if (kinds.repositories || kinds.authors) return deps.ledger.monthCounters(accountId, kinds);
  return {
    ...(await deps.ledger.monthTotals(accountId)),
    repositories: [],
    authors: [],
    warned: [],
  };
}

/**
 * Low-balance alerts (docs/billing.md): the dashboard shows a banner from critical down. The
 * free tier alone is no alarm, though it sits at the critical level (3 by default): a new
 * account is told what its free reviews are. (The alert emails keep their levels.)
 */
function banner(s: BalanceSummary, bot: string): z.infer<typeof bannerSchema> | null {
  if (s.alertLevel === "depleted" || s.paused) {
    return {
      level: "depleted",
      message:
        `You are out of credits: automatic reviews are paused. Buy credits, then comment ` +
        `\`/${bot} review\` on a pull request to have it reviewed.`,
    };
  }
  const onlyFree = s.buckets.bonus === 0 && s.buckets.purchased === 0;
  if (s.alertLevel === "critical" && onlyFree) {
    const reviews = Math.floor(s.buckets.free / DEFAULT_COSTS.review);
    return {
      level: "free",
      message: `${reviews === 1 ? "1 free review" : `${reviews} free reviews`} left this month. Buy credits to review more.`,
    };
  }
  if (s.alertLevel === "critical") {
    const left = s.balance === 1 ? "1 credit" : `${s.balance} credits`;
    return {
      level: "critical",
      message: `Only ${left} left. Buy credits to keep automatic reviews running.`,
    };
  }
  return null;
}
