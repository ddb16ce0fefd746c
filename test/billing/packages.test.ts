import { describe, expect, it } from "@jest/globals";
import { CURRENCIES } from "../../src/billing/currency.js";
import {
  DEFAULT_PACKAGES,
  parsePackages,
  perReviewCents,
  priceIn,
} from "../../src/billing/packages.js";

const pkg = (over: Record<string, unknown> = {}) => ({
  id: "team",
  name: "Team",
  description: "For a team",
  credits: 1000,
  priceCents: 20000,
  ...over,
});

describe("credit packages", () => {
  it("defaults to Starter, Growth and Scale at the documented prices", () => {
    expect(parsePackages(undefined)).toStrictEqual([
      {
        id: "starter",
        name: "Starter",
        description: "For solo developers",
        credits: 100,
        priceCents: 3000,
        prices: { eur: 2800, gbp: 2400 },
      },
      {
        id: "growth",
        name: "Growth",
        description: "For growing teams",
        credits: 500,
        priceCents: 12250,
        prices: { eur: 11400, gbp: 9800 },
      },
      {
        id: "scale",
        name: "Scale",
        description: "For teams shipping frequently",
        credits: 2000,
        priceCents: 39600,
        prices: { eur: 36800, gbp: 31700 },
      },
    ]);
    expect(parsePackages("  ")).toStrictEqual(parsePackages(undefined));
    expect(DEFAULT_PACKAGES.map(perReviewCents)).toStrictEqual([30, 24.5, 19.8]);
  });

  it("prices each package in USD, EUR and GBP: the map's price, or one derived from USD", () => {
    const [listed] = parsePackages(
      JSON.stringify([pkg({ priceCents: 2999, prices: { gbp: 2500 } })]),
    );
    expect(listed!.prices).toStrictEqual({ gbp: 2500 });
    // 2999 US cents: EUR at 0.93 rounded up (2789.07), GBP as listed.
    expect(CURRENCIES.map((c) => priceIn(listed!, c))).toStrictEqual([2999, 2790, 2500]);
    expect(CURRENCIES.map((c) => priceIn(DEFAULT_PACKAGES[1]!, c))).toStrictEqual([
      12250, 11400, 9800,
    ]);
    expect(() => parsePackages(JSON.stringify([pkg({ prices: { jpy: 3000 } })]))).toThrow(
      /CREDIT_PACKAGES: .*prices.*jpy/,
    );
    expect(() => parsePackages(JSON.stringify([pkg({ prices: { eur: 10 } })]))).toThrow(
      /CREDIT_PACKAGES: .*prices\.eur.*whole cents/,
    );
  });

  it("reads CREDIT_PACKAGES JSON", () => {
    expect(parsePackages(JSON.stringify([pkg()]))).toStrictEqual([pkg()]);
  });

  it.each([
    ["not JSON", "[{", /not valid JSON/],
    ["not a list", JSON.stringify(pkg()), /expected a JSON array/],
    ["an empty list", "[]", /\(list\)/],
    [
      "more than 20",
      JSON.stringify(Array.from({ length: 21 }, (_, i) => pkg({ id: `p${i}` }))),
      /\(list\)/,
    ],
    ["a bad id", JSON.stringify([pkg({ id: "Team Plan" })]), /0\.id: must be 1-40 lowercase/],
    ["a duplicate id", JSON.stringify([pkg(), pkg()]), /1\.id: duplicate id "team"/],
    ["fractional credits", JSON.stringify([pkg({ credits: 10.5 })]), /0\.credits/],
    ["zero credits", JSON.stringify([pkg({ credits: 0 })]), /0\.credits/],
    ["a price in dollars", JSON.stringify([pkg({ priceCents: 19.99 })]), /0\.priceCents/],
    ["a negative price", JSON.stringify([pkg({ priceCents: -100 })]), /0\.priceCents/],
    ["an unknown field", JSON.stringify([pkg({ currency: "eur" })]), /currency/],
    ["a missing name", JSON.stringify([pkg({ name: undefined })]), /0\.name/],
  ])("refuses %s with a message naming the problem", (_what, json, message) => {
    expect(() => parsePackages(json)).toThrow(/^CREDIT_PACKAGES: /);
    expect(() => parsePackages(json)).toThrow(message);
  });
});
