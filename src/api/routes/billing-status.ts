import { z } from "zod";
import { SUBSCRIPTION_STATUSES } from "../../billing/subscription-store.js";
import { CURRENCIES } from "../../billing/currency.js";
import { PLAN_INTERVALS, priceOf } from "../../billing/plans.js";
import { accountCurrency } from "../account-currency.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors } from "../errors.js";
import { formatCents } from "../present.js";
import { BEARER_SECURITY, orgParams, timestamp } from "../schemas.js";

const periodSchema = z.object({ start: timestamp, end: timestamp });

const statusSchema = z
  .object({
    organization: z.string(),
    stripeConfigured: z
      .boolean()
      .describe("Whether this Jasper takes payments through Stripe (subscribing, buying)"),
    plan: z
      .object({
        id: z.string(),
        name: z.string(),
        creditsPerMonth: z.number().int(),
        seatLimit: z.number().int().nullable().describe("null: no limit"),
      })
      .describe("The plan in effect: the subscription's while active or retrying, else Free"),
    interval: z.enum(PLAN_INTERVALS).nullable().describe("null: no subscription"),
    status: z
      .enum(SUBSCRIPTION_STATUSES)
      .nullable()
      .describe("Stripe's status of the newest subscription; null: never subscribed"),
    currentPeriod: periodSchema.nullable().describe("The paid period (a month or a year)"),
    planMonth: periodSchema
      .nullable()
      .describe("The plan month running now; an annual plan grants its credits month by month"),
    cancelAtPeriodEnd: z.boolean(),
    scheduledChange: z
      .object({ plan: z.string(), interval: z.enum(PLAN_INTERVALS), at: timestamp })
      .nullable()
      .describe(
        "A downgrade or a switch to monthly an admin scheduled: the plan and interval the account moves to `at` (the period's end); null: none",
      ),
    custom: z
      .object({
        price: z.string().describe('US dollars a month as a decimal string, e.g. "2500.00"'),
        priceCents: z.number().int(),
        daysUntilDue: z
          .number()
          .int()
          .describe("Payment terms: the invoice is due in this many days"),
      })
      .nullable()
      .describe("An enterprise plan an operator set: billed by invoice; null: none"),
    paymentFailed: z
      .boolean()
      .describe("A renewal failed and Stripe is retrying it: payment failed"),
    banner: z
      .object({ level: z.literal("payment_failed"), message: z.string() })
      .nullable()
      .describe("What the dashboard shows while a renewal's payment has failed"),
    seats: z
      .object({
        used: z
          .number()
          .int()
          .describe("Distinct pull request authors reviewed (not refunded) in the billing month"),
        limit: z.number().int().nullable().describe("The plan's seat limit; null: none"),
        withoutAuthor: z
          .number()
          .int()
          .describe("Reviews in the month whose author was not recorded (older entries)"),
        from: timestamp.describe("The billing month: the plan month, or the calendar month (UTC)"),
        to: timestamp,
      })
      .describe("Seats used this billing month"),
    currency: z
      .enum(CURRENCIES)
      .describe(
        "What the plans below are priced in: the billing currency, fixed by the first payment; usd before (what a subscription checkout then charges in)",
      ),
    plans: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          creditsPerMonth: z.number().int(),
          monthlyCents: z.number().int(),
          annualCents: z.number().int(),
          monthly: z.string().describe('A month in `currency`, as a decimal string, e.g. "49.00"'),
          annual: z.string().describe('A year in `currency`, as a decimal string, e.g. "490.00"'),
          seatLimit: z.number().int().nullable().describe("null: no limit"),
        }),
      )
      .describe("The paid plans to subscribe or change to (PUT .../billing/subscription)"),
  })
  .meta({ id: "BillingStatus" });

type Deps = Pick<BillingApiDeps, "billingStatus"> & AuthDeps;

/** GET /organizations/:org/billing/status: the plan, its subscription's state and the seats. */
export function billingStatusRoute(api: ApiInstance, deps: Deps): void {
  api.get(
    "/organizations/:org/billing/status",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        tags: ["billing"],
        summary: "Plan, subscription status, current period and seats used",
        security: BEARER_SECURITY,
        params: orgParams,
        response: { 200: statusSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { account } = callerOf(request);
      const s = await deps.billingStatus(account.id);
      const currency = accountCurrency(account);
      const period = (p: { start: Date; end: Date } | null) =>
        p && { start: p.start.toISOString(), end: p.end.toISOString() };
      return {
        organization: account.login,
        stripeConfigured: s.stripeConfigured,
        plan: {
          id: s.plan.id,
          name: s.plan.name,
          creditsPerMonth: s.plan.creditsPerMonth,
          seatLimit: s.plan.seatLimit,
        },
        interval: s.interval,
        status: s.status,
        currentPeriod: period(s.currentPeriod),
        planMonth: period(s.planMonth),
        cancelAtPeriodEnd: s.cancelAtPeriodEnd,
        scheduledChange: s.scheduledChange && {
          plan: s.scheduledChange.plan,
          interval: s.scheduledChange.interval,
          at: s.scheduledChange.effectiveAt.toISOString(),
        },
        custom: s.custom && {
          price: formatCents(s.custom.priceCents),
          priceCents: s.custom.priceCents,
          daysUntilDue: s.custom.daysUntilDue,
        },
        paymentFailed: s.paymentFailed,
        banner: s.paymentFailed
          ? {
              level: "payment_failed" as const,
              message:
                `Payment failed: the renewal of your ${s.plan.name} plan did not go through. ` +
                "Stripe will try again; update the card in Manage billing to keep the plan.",
            }
          : null,
        seats: {
          used: s.seats.used,
          limit: s.seats.limit,
          withoutAuthor: s.seats.withoutAuthor,
          from: s.seats.from.toISOString(),
          to: s.seats.to.toISOString(),
        },
        currency,
        // In the currency a subscription checkout would charge now, never a converted figure.
        plans: s.paidPlans.map((p) => {
          const monthlyCents = priceOf(p, "month", currency);
          const annualCents = priceOf(p, "year", currency);
          return {
            id: p.id,
            name: p.name,
            creditsPerMonth: p.creditsPerMonth,
            monthlyCents,
            annualCents,
            monthly: formatCents(monthlyCents),
            annual: formatCents(annualCents),
            seatLimit: p.seatLimit,
          };
        }),
      };
    },
  );
}
