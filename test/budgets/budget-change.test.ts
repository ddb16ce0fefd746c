import { describe, expect, it } from "@jest/globals";
import { budgetChange } from "../../src/budgets/budget-change.js";
import { NO_BUDGETS, type BudgetRules } from "../../src/accounts/budget-rules.js";

// Rules kept as they were: they make the lists long, not the differences.
const kept = Array.from({ length: 6 }, (_, i) => ({ pattern: `repo-${i}`, credits: 1 }));
const before: BudgetRules = {
  ...NO_BUDGETS,
  repositories: [...kept, { pattern: "api", credits: 5 }, { pattern: "web", credits: 5 }],
};
const after: BudgetRules = {
  ...NO_BUDGETS,
  account: 9,
  repositories: [...kept, { pattern: "API", credits: 6 }, { pattern: "docs", credits: 1 }],
};

describe("what a budget change records", () => {
  it("is nothing when nothing changed", () => {
    expect(budgetChange(before, { ...before }, 4096)).toBeNull();
  });

  it("copies the changed fields in full when they fit", () => {
    expect(budgetChange(before, after, 4096)).toEqual({
      before: { account: null, repositories: before.repositories },
      after: { account: 9, repositories: after.repositories },
    });
  });

  it("copies the change in full when it takes exactly the room there is, not a byte more", () => {
    const full = {
      before: { account: null, repositories: before.repositories },
      after: { account: 9, repositories: after.repositories },
    };
    const bytes = Buffer.byteLength(JSON.stringify(full));
    expect(budgetChange(before, after, bytes)).toEqual(full);
    expect(budgetChange(before, after, bytes - 1)).not.toEqual(full);
  });

  it("tells a list as its differences, names compared case-insensitively, when it does not", () => {
    expect(budgetChange(before, after, 300)).toEqual({
      before: { account: null },
      after: {
        account: 9,
        repositories: {
          added: [{ pattern: "docs", credits: 1 }],
          removed: [{ pattern: "web", credits: 5 }],
          changed: [{ rule: { pattern: "API", credits: 6 }, from: 5 }],
        },
      },
    });
  });

  it("tells a list as counts when even its differences do not fit", () => {
    expect(budgetChange(before, after, 100)).toEqual({
      before: { account: null },
      after: { account: 9, repositories: { added: 1, removed: 1, changed: 1 } },
    });
  });
});
