import { describe, expect, it } from "@jest/globals";
import { copyBudgetRules, noBudgets } from "../../src/budgets/copy-rules.js";
import { NO_BUDGETS, type BudgetRules } from "../../src/accounts/budget-rules.js";

/** The stores keep and hand out these copies (test/contract, "hands out copies"). */
describe("a copy of budget rules", () => {
  it("holds the same rules and shares no list or rule with the original", () => {
    const rules: BudgetRules = {
      account: 0,
      repositories: [{ pattern: "api", credits: 40 }],
      authorDefault: 5,
      authors: [{ login: "octocat", credits: 20 }],
      pullRequestRuns: 3,
      warnAtPercent: 90,
    };
    const copy = copyBudgetRules(rules);
    expect(copy).toStrictEqual(rules);
    copy.repositories.push({ pattern: "web", credits: 1 });
    copy.repositories[0]!.credits = 1;
    copy.authors[0]!.credits = 1;
    copy.authors.push({ login: "hubot", credits: 1 });
    expect(rules.repositories).toStrictEqual([{ pattern: "api", credits: 40 }]);
    expect(rules.authors).toStrictEqual([{ login: "octocat", credits: 20 }]);
  });

  it("of no budgets is NO_BUDGETS, and a change to it changes no other account's", () => {
    const mine = noBudgets();
    expect(mine).toStrictEqual(NO_BUDGETS);
    mine.repositories.push({ pattern: "api", credits: 1 });
    mine.authors.push({ login: "octocat", credits: 1 });
    expect(NO_BUDGETS.repositories).toStrictEqual([]);
    expect(NO_BUDGETS.authors).toStrictEqual([]);
    expect(noBudgets()).toStrictEqual(NO_BUDGETS);
  });
});
