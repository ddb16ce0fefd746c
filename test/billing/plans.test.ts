import { describe, expect, it } from "@jest/globals";
import { findPlan, parsePlans, planCatalog, priceOf } from "../../src/billing/plans.js";
import { parseConfig } from "../../src/config/env.js";

const plan = (over: Record<string, unknown> = {}) => ({
  id: "max",
  name: "Max",
  creditsPerMonth: 2000,
  monthlyCents: 29900,
  annualCents: 299000,
  ...over,
});

describe("the plan catalog", () => {
  it("defaults to Free (the free tier), Pro and Team at the documented prices, in cents", () => {
    const catalog = planCatalog(parsePlans(undefined), 3);
    expect(catalog).toStrictEqual([
      {
        id: "free",
        name: "Free",
        creditsPerMonth: 3,
        monthlyCents: 0,
        annualCents: 0,
        seatLimit: null,
      },
      {
        id: "pro",
        name: "Pro",
        creditsPerMonth: 200,
        monthlyCents: 4900,
        annualCents: 49000,
        prices: {
          eur: { monthlyCents: 4500, annualCents: 45000 },
          gbp: { monthlyCents: 3900, annualCents: 39000 },
        },
        seatLimit: null,
      },
      {
        id: "team",
        name: "Team",
        creditsPerMonth: 750,
        monthlyCents: 14900,
        annualCents: 149000,
        prices: {
          eur: { monthlyCents: 13900, annualCents: 139000 },
          gbp: { monthlyCents: 11900, annualCents: 119000 },
        },
        seatLimit: null,
      },
    ]);
    const team = findPlan(catalog, "team")!;
    expect(priceOf(team, "month")).toBe(14900);
    expect(priceOf(team, "year")).toBe(149000);
    expect(findPlan(catalog, "gold")).toBeUndefined();
  });

  it("reads PLANS as JSON, with a seat limit when given and none by default", () => {
    expect(parsePlans(JSON.stringify([plan(), plan({ id: "seats", seatLimit: 5 })]))).toStrictEqual(
      [
        { ...plan(), seatLimit: null },
        { ...plan({ id: "seats" }), seatLimit: 5 },
      ],
    );
    expect(parsePlans("  ")).toHaveLength(2);
  });

  it("names what is wrong, and refuses a plan that would stand for Free or Enterprise", () => {
    expect(() => parsePlans("[{")).toThrow(/^PLANS: not valid JSON/);
    expect(() => parsePlans("[]")).toThrow(/^PLANS: \(list\): expected a JSON array/);
    expect(() => parsePlans(JSON.stringify([plan({ monthlyCents: 49.5 })]))).toThrow(
      /^PLANS: 0\.monthlyCents: expected a price in whole cents/,
    );
    expect(() => parsePlans(JSON.stringify([plan({ id: "free" })]))).toThrow(/^PLANS: 0\.id/);
    expect(() => parsePlans(JSON.stringify([plan({ id: "enterprise" })]))).toThrow(/^PLANS: 0\.id/);
    expect(() => parsePlans(JSON.stringify([plan(), plan()]))).toThrow(/duplicate id "max"/);
    expect(() => parsePlans(JSON.stringify([plan({ seatLimit: 0 })]))).toThrow(/0\.seatLimit/);
    expect(() => parsePlans(JSON.stringify([plan({ extra: 1 })]))).toThrow(/extra/);
  });

  it("is parsed at boot: a bad PLANS stops the process", () => {
    const minimal = { MONGODB_URI: "memory" };
    expect(parseConfig(minimal).PLANS.map((p) => p.id)).toEqual(["pro", "team"]);
    expect(() => parseConfig({ ...minimal, PLANS: "nope" })).toThrow(/PLANS: not valid JSON/);
  });
});
