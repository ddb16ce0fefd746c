import { describe, expect, it } from "@jest/globals";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { decideTopUp, type TopUpCheck } from "../../src/billing/top-up-rules.js";
import { GROWTH_SETTINGS } from "../support/top-up-fixtures.js";

/**
 * A refusal of the check is exactly `{ pay: false, because }`: a caller that reads `pay`
 * alone (as the payer does first) must never see a refusal as leave to charge.
 */
const check = (over: Partial<TopUpCheck> = {}): TopUpCheck => ({
  settings: GROWTH_SETTINGS,
  hasCard: true,
  balance: 10,
  packages: DEFAULT_PACKAGES,
  attempts: [],
  now: new Date("2026-12-15T12:00:00Z"),
  ...over,
});

describe("a refused automatic top-up", () => {
  it("says pay: false without a card", () => {
    expect(decideTopUp(check({ hasCard: false }))).toStrictEqual({
      pay: false,
      because: "no_card",
    });
  });

  it("says pay: false for a package no longer on sale", () => {
    const packages = DEFAULT_PACKAGES.filter((p) => p.id !== "growth");
    expect(decideTopUp(check({ packages }))).toStrictEqual({
      pay: false,
      because: "unknown_package",
    });
  });
});
