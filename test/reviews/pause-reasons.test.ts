import { describe, expect, it } from "@jest/globals";
import { BUDGET_KINDS } from "../../src/accounts/budget-rules.js";
import {
  INSUFFICIENT_CREDITS,
  overBudgetReason,
  pauseCauseOf,
} from "../../src/reviews/pause-reasons.js";

describe("pauseCauseOf", () => {
  it("reads back every budget kind accept-review writes", () => {
    for (const kind of BUDGET_KINDS) expect(pauseCauseOf(overBudgetReason(kind))).toBe(kind);
  });

  it("reads the balance for credits, for no reason, and for a budget kind it does not know", () => {
    for (const reason of [INSUFFICIENT_CREDITS, null, "over_budget_team", "over_budget_"]) {
      expect([reason, pauseCauseOf(reason)]).toEqual([reason, "balance"]);
    }
  });
});
