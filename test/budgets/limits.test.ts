import { describe, expect, it } from "@jest/globals";
import { authorCapFor, isGlob, limitsFor, repositoryRuleFor } from "../../src/budgets/limits.js";
import { NO_BUDGETS, type BudgetRules } from "../../src/accounts/budget-rules.js";

const rules: BudgetRules = {
  ...NO_BUDGETS,
  repositories: [
    { pattern: "api-*", credits: 10 },
    { pattern: "API-Gateway", credits: 40 },
    { pattern: "!{api-*,web}", credits: 3 },
  ],
  authorDefault: 5,
  authors: [{ login: "Octocat", credits: 20 }],
};

describe("which budget rules govern a pull request", () => {
  it("prefers an exact name to a glob listed before it, case-insensitively", () => {
    expect(repositoryRuleFor(rules, "acme/api-gateway")?.credits).toBe(40);
    expect(repositoryRuleFor(rules, "acme/API-users")?.credits).toBe(10);
  });

  it("matches a glob in any case, under any owner, and names that start with a dot", () => {
    const globs = {
      repositories: [
        { pattern: "Web-*", credits: 7 },
        { pattern: "*", credits: 1 },
      ],
    };
    expect(repositoryRuleFor(globs, "acme/web-app")?.credits).toBe(7);
    expect(repositoryRuleFor(globs, "acme/WEB-APP")?.credits).toBe(7);
    // An owner of one letter is still only the owner.
    expect(repositoryRuleFor(globs, "x/web-app")?.credits).toBe(7);
    // `.github` is a repository like any other: `*` governs it.
    expect(repositoryRuleFor(globs, "acme/.github")?.credits).toBe(1);
  });

  it("treats a negated pattern as a glob: every repository but those", () => {
    expect(isGlob("!web")).toBe(true);
    expect(isGlob("web")).toBe(false);
    expect(repositoryRuleFor(rules, "acme/docs")?.credits).toBe(3);
    expect(repositoryRuleFor(rules, "acme/web")).toBeNull();
  });

  it("gives a named author their own cap and everyone else the default", () => {
    expect(authorCapFor(rules, "octocat")).toBe(20);
    expect(authorCapFor(rules, "hubot")).toBe(5);
    expect(authorCapFor(NO_BUDGETS, "hubot")).toBeNull();
  });

  it("resolves only the caps that are set, 0 included", () => {
    expect(limitsFor(NO_BUDGETS, { repository: "acme/web", author: "hubot" })).toEqual({});
    expect(
      limitsFor({ ...rules, account: 0, pullRequestRuns: 2 }, { repository: "acme/api-x" }),
    ).toEqual({ account: 0, repository: 10, pullRequestRuns: 2 });
    // An author's cap when the pull request names one: their own, else the default.
    expect(limitsFor(rules, { repository: "acme/web", author: "Octocat" })).toEqual({
      author: 20,
    });
    expect(
      limitsFor({ ...rules, authorDefault: 0 }, { repository: "acme/web", author: "hubot" }),
    ).toEqual({ author: 0 });
  });
});
