import { describe, expect, it } from "@jest/globals";
import { parsePlans, priceOf } from "../../src/billing/plans.js";

const plan = (over: Record<string, unknown> = {}) => ({
  id: "max",
  name: "Max",
  creditsPerMonth: 2000,
  monthlyCents: 29900,
  annualCents: 299000,
  ...over,
});
/** What parsePlans says of a list of this one item; "ok" when it is read. */
const verdict = (item: unknown) => {
  try {
    parsePlans(JSON.stringify([item]));
    return "ok";
  } catch (err) {
    return (err as Error).message;
  }
};
const ID_RULE =
  "PLANS: 0.id: must be 1-40 lowercase letters, digits or -, and not free or enterprise";

// PLANS is read at boot and its errors are what the operator reads: each names the field and
// what it must be.
describe("PLANS, as the operator writes it", () => {
  it("takes an id of 1-40 lowercase letters, digits or -, not starting enterprise", () => {
    for (const id of ["max", "pro-2", "x-enterprise", "a".repeat(40)]) {
      expect([id, verdict(plan({ id }))]).toEqual([id, "ok"]);
    }
    // Enterprise plan ids are `enterprise-<account>` (enterprise-plan.ts): none may collide.
    for (const id of ["Max", "_max", "max!", "max plan", "a".repeat(41), "enterprise-7", 42]) {
      expect([id, verdict(plan({ id }))]).toEqual([id, ID_RULE]);
    }
  });

  it("says what the credits, the seat limit and a plan itself must be", () => {
    expect(verdict(plan({ creditsPerMonth: 1.5 }))).toBe(
      "PLANS: 0.creditsPerMonth: expected a whole number of credits between 1 and 1000000",
    );
    expect(verdict(plan({ seatLimit: 0 }))).toBe(
      "PLANS: 0.seatLimit: expected a whole number of seats between 1 and 100000",
    );
    const shape =
      'PLANS: 0: expected a plan: { "id", "name", "creditsPerMonth", "monthlyCents", "annualCents", "prices"?, "seatLimit"? }';
    expect(verdict("max")).toBe(shape);
    expect(verdict(null)).toBe(shape);
    const eleven = Array.from({ length: 11 }, (_, i) => plan({ id: `p${i}` }));
    expect(() => parsePlans(JSON.stringify(eleven))).toThrow(
      "PLANS: (list): expected a JSON array of 1 to 10 plans",
    );
  });

  it("prices a plan in EUR and GBP as set, deriving a currency left out", () => {
    const [euro, bare] = parsePlans(
      JSON.stringify([
        plan({ prices: { eur: { monthlyCents: 25000, annualCents: 250000 } } }),
        plan({ id: "bare" }),
      ]),
    );
    expect(priceOf(euro!, "month", "eur")).toBe(25000);
    expect(priceOf(euro!, "year", "eur")).toBe(250000);
    expect(priceOf(euro!, "month", "gbp")).toBe(23920);
    expect(priceOf(bare!, "month", "eur")).toBe(27807);
    expect(priceOf(bare!, "year", "gbp")).toBe(239200);
  });
});
