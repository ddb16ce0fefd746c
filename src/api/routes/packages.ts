import { z } from "zod";
import { CURRENCIES } from "../../billing/currency.js";
import { priceIn } from "../../billing/packages.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors } from "../errors.js";
import { formatCents, formatPerCredit } from "../present.js";

const packageSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    credits: z.number().int().describe("Credits granted; one credit is one pull request review"),
    price: z.string().describe('US dollars as a decimal string, e.g. "122.50"'),
    priceCents: z.number().int(),
    currency: z.literal("usd"),
    perReview: z.string().describe('Price of one review in US dollars, e.g. "0.245"'),
    prices: z
      .array(
        z.object({
          currency: z.enum(CURRENCIES),
          price: z.string().describe('A decimal string in that currency, e.g. "114.00"'),
          priceCents: z.number().int(),
          perReview: z.string(),
        }),
      )
      .describe("The price in each currency sold in (USD, EUR, GBP): list prices, not conversions"),
  })
  .meta({ id: "CreditPackage" });

/** GET /billing/packages: public, so the pricing page and the dashboard read the same list. */
export function packagesRoute(api: ApiInstance, deps: Pick<BillingApiDeps, "packages">): void {
  api.get(
    "/billing/packages",
    {
      config: { publicRoute: true },
      schema: {
        tags: ["billing"],
        summary: "Credit packages for sale",
        response: {
          200: z.object({ packages: z.array(packageSchema) }),
          429: commonErrors[429],
          503: commonErrors[503],
        },
      },
    },
    async () => ({
      packages: deps.packages.map((p) => ({
        id: p.id,
        name: p.name,
        description: p.description,
        credits: p.credits,
        price: formatCents(p.priceCents),
        priceCents: p.priceCents,
        currency: "usd" as const,
        perReview: formatPerCredit(p.priceCents, p.credits),
        prices: CURRENCIES.map((currency) => {
          const cents = priceIn(p, currency);
          return {
            currency,
            price: formatCents(cents),
            priceCents: cents,
            perReview: formatPerCredit(cents, p.credits),
          };
        }),
      })),
    }),
  );
}
