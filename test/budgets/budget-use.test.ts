import { describe, expect, it } from "@jest/globals";
import { budgetUse, meter, setBudgetUse } from "../../src/budgets/budget-use.js";
import { NO_BUDGETS, type BudgetRules } from "../../src/accounts/budget-rules.js";
import { emptyMonthUse, type MonthUse } from "../../src/ledger/month-use.js";

/** What people are shown of each budget (the budgets route, the billing summary). */
const rules: BudgetRules = {
  ...NO_BUDGETS,
  account: 100,
  repositories: [
    { pattern: "api-*", credits: 10 },
    { pattern: "web", credits: 5 },
  ],
  authorDefault: 10,
  authors: [{ login: "octocat", credits: 20 }],
  pullRequestRuns: 5,
  warnAtPercent: 80,
};

const use = (changes: Partial<MonthUse>): MonthUse => ({
  ...emptyMonthUse("2026-12"),
  ...changes,
});

describe("what each budget has used this month", () => {
  it("is ok below the warning share, a warning from it, used up at the cap", () => {
    // 80 % of 5 is 4: a warning at 4, with no float deciding it; 79 % of 5 is 3.95.
    expect([3, 4, 5, 6].map((used) => meter(used, 5, 80).level)).toStrictEqual([
      "ok",
      "warning",
      "used_up",
      "used_up",
    ]);
    expect(meter(3, 5, 79).level).toBe("ok");
    expect(meter(4, 5, 79).level).toBe("warning");
    expect(meter(0, 0, 80)).toStrictEqual({ used: 0, cap: 0, level: "used_up" });
    expect(meter(7, null, 80)).toStrictEqual({ used: 7, cap: null, level: null });
  });

  it("lists the most used first, and those used alike in one fixed order (by login, or repository id)", () => {
    const u = budgetUse(
      rules,
      use({
        account: 12,
        repositories: [
          { key: "1", name: "acme/api-b", credits: 2, runs: 2 },
          { key: "2", name: "acme/api-c", credits: 9, runs: 3 },
          { key: "3", name: "acme/api-a", credits: 2, runs: 1 },
        ],
        authors: [
          { key: "hubot", credits: 3, runs: 1 },
          { key: "zed", credits: 9, runs: 1 },
          { key: "amy", credits: 3, runs: 1 },
        ],
      }),
    );
    expect(u.repositories[0]?.repositories.map((r) => [r.repository, r.level])).toStrictEqual([
      ["acme/api-c", "warning"],
      ["acme/api-b", "ok"],
      ["acme/api-a", "ok"],
    ]);
    expect(u.authors.map((a) => [a.login, a.used, a.cap, a.level])).toStrictEqual([
      ["zed", 9, 10, "warning"],
      ["amy", 3, 10, "ok"],
      ["hubot", 3, 10, "ok"],
    ]);
    expect(u.account).toStrictEqual({ used: 12, cap: 100, level: "ok" });
  });

  it("counts a repository under the one rule that caps it, by its newest name, and no other", () => {
    const u = budgetUse(
      rules,
      use({
        repositories: [
          { key: "7", name: "acme/web", credits: 4, runs: 4 },
          { key: "8", name: "acme/docs", credits: 9, runs: 9 },
          // Counted by name, from before ids were kept.
          { key: "acme/api-old", credits: 1, runs: 1 },
        ],
      }),
    );
    expect(u.repositories).toStrictEqual([
      {
        pattern: "api-*",
        cap: 10,
        repositories: [{ repository: "acme/api-old", used: 1, cap: 10, level: "ok" }],
      },
      {
        pattern: "web",
        cap: 5,
        repositories: [{ repository: "acme/web", used: 4, cap: 5, level: "warning" }],
      },
    ]);
  });

  it("shows the pull requests at the warning share of the run cap, most runs first", () => {
    const pullRuns = [
      { key: "acme/web#2", credits: 0, runs: 4 },
      { key: "acme/web#1", credits: 0, runs: 3 },
      { key: "acme/api-a#9", credits: 0, runs: 5 },
      { key: "acme/api-a#3", credits: 0, runs: 4 },
    ];
    expect(budgetUse(rules, use({}), pullRuns).pullRequests).toStrictEqual([
      { pullRequest: "acme/api-a#9", used: 5, cap: 5, level: "used_up" },
      { pullRequest: "acme/api-a#3", used: 4, cap: 5, level: "warning" },
      { pullRequest: "acme/web#2", used: 4, cap: 5, level: "warning" },
    ]);
    const uncapped = { ...rules, pullRequestRuns: null };
    expect(budgetUse(uncapped, use({}), pullRuns).pullRequests).toStrictEqual([]);
  });

  it("lists for the billing summary only the budgets that are set", () => {
    const u = budgetUse(
      { ...rules, account: null, authorDefault: null },
      use({
        account: 3,
        repositories: [{ key: "7", name: "acme/web", credits: 3, runs: 3 }],
        authors: [
          { key: "octocat", credits: 2, runs: 1 },
          { key: "hubot", credits: 1, runs: 1 },
        ],
      }),
    );
    expect(setBudgetUse(u)).toStrictEqual({
      period: "2026-12",
      account: null,
      repositories: [{ repository: "acme/web", pattern: "web", used: 3, cap: 5, level: "ok" }],
      authors: [{ login: "octocat", used: 2, cap: 20, level: "ok" }],
    });
    expect(setBudgetUse(budgetUse(rules, use({ account: 3 }))).account).toStrictEqual({
      used: 3,
      cap: 100,
      level: "ok",
    });
  });
});
