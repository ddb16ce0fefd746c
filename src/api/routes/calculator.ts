import { z } from "zod";
import { estimateCost } from "../../billing/calculator.js";
import { CURRENCIES } from "../../billing/currency.js";
import { priceIn } from "../../billing/packages.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors } from "../errors.js";
import { formatCents, formatPerCredit } from "../present.js";

const bodySchema = z.strictObject({
  pullRequestsPerMonth: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .describe("Pull requests reviewed a month"),
  pushesPerPullRequest: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(1)
    .describe("Review runs a pull request gets, its opening included; charged only per run"),
  charging: z
    .enum(["pull_request", "review_run"])
    .default("pull_request")
    .describe("pull_request: one credit per PR; review_run: every review run is charged"),
  currency: z
    .enum(CURRENCIES, { error: "must be one of usd, eur, gbp" })
    .default("usd")
    .describe("What the prices are in: the packages' own prices in it, never a conversion"),
});

const money = {
  price: z.string().describe('In the asked currency, as a decimal string, e.g. "305.00"'),
  priceCents: z.number().int(),
};

const estimateSchema = z
  .object({
    currency: z.enum(CURRENCIES).describe("Every price here is in this currency"),
    pullRequestsPerMonth: z.number().int(),
    pushesPerPullRequest: z.number().int(),
    charging: z.enum(["pull_request", "review_run"]),
    reviewsPerMonth: z.number().int().describe("Charged reviews: PRs, or their runs per run"),
    creditsPerMonth: z.number().int(),
    freeCredits: z.number().int().describe("The part the monthly free credits pay"),
    creditsToBuy: z.number().int(),
    cheapest: z
      .object({
        packages: z.array(z.object({ id: z.string(), name: z.string(), count: z.number().int() })),
        credits: z.number().int().describe("Credits the mix buys (what is left carries over)"),
      })
      .describe("The cheapest mix of packages covering creditsToBuy"),
    monthlyCost: money.price.describe("The cheapest mix's price: what the month costs"),
    monthlyCostCents: money.priceCents,
    perReview: z.string().describe("The monthly cost over the reviews a month, free ones included"),
    options: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          perReview: z.string().describe("What one review costs in this package"),
          count: z.number().int().describe("Packages needed for the month, bought alone"),
          ...money,
        }),
      )
      .describe("Each package on its own"),
  })
  .meta({ id: "CostEstimate" });

type Deps = Pick<BillingApiDeps, "packages" | "freeReviewsPerMonth">;

/**
 * POST /billing/calculator: public (the pricing page asks it signed out), rate limited like
 * every API route. The arithmetic is src/billing/calculator.ts; this only shows it.
 */
export function calculatorRoute(api: ApiInstance, deps: Deps): void {
  api.post(
    "/billing/calculator",
    {
      config: { publicRoute: true },
      bodyLimit: 1024,
      schema: {
        tags: ["billing"],
        summary: "What a workload of pull requests costs a month (no authentication)",
        body: bodySchema,
        response: {
          200: estimateSchema,
          400: commonErrors[400],
          429: commonErrors[429],
          503: commonErrors[503],
        },
      },
    },
    async (request) => {
      const input = request.body;
      // Each package at its own price in the currency (currency.ts): the cheapest mix can
      // differ between currencies.
      const e = estimateCost(input, {
        packages: deps.packages.map((p) => ({ ...p, priceCents: priceIn(p, input.currency) })),
        freePerMonth: deps.freeReviewsPerMonth,
      });
      return {
        ...input,
        reviewsPerMonth: e.reviewsPerMonth,
        creditsPerMonth: e.creditsPerMonth,
        freeCredits: e.freeCredits,
        creditsToBuy: e.creditsToBuy,
        cheapest: {
          packages: e.cheapest.map((c) => ({
            id: c.package.id,
            name: c.package.name,
            count: c.count,
          })),
          credits: e.cheapestCredits,
        },
        monthlyCost: formatCents(e.monthlyCents),
        monthlyCostCents: e.monthlyCents,
        perReview: formatPerCredit(e.monthlyCents, e.reviewsPerMonth),
        options: e.options.map((o) => ({
          id: o.package.id,
          name: o.package.name,
          perReview: formatPerCredit(o.package.priceCents * e.reviewCost, o.package.credits),
          count: o.count,
          price: formatCents(o.totalCents),
          priceCents: o.totalCents,
        })),
      };
    },
  );
}
