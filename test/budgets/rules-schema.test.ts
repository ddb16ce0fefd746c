import { describe, expect, it } from "@jest/globals";
import { z } from "zod";
import {
  MAX_AUTHOR_RULES,
  MAX_BUDGET_CREDITS,
  MAX_REPOSITORY_RULES,
  budgetRulesSchema,
} from "../../src/budgets/rules-schema.js";
import { NO_BUDGETS } from "../../src/accounts/budget-rules.js";

/** The issues' paths and messages, "path: message", or [] when the input parses. */
const issuesOf = (input: unknown): string[] => {
  const parsed = budgetRulesSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("budget rules as the API accepts them", () => {
  it("reads an empty body as no budgets with the default warning share", () => {
    expect(budgetRulesSchema.parse({})).toEqual(NO_BUDGETS);
  });

  it("keeps every rule it is given", () => {
    const rules = {
      account: 0,
      repositories: [
        { pattern: "api", credits: MAX_BUDGET_CREDITS },
        { pattern: "{web,app}-*", credits: 0 },
        { pattern: "!legacy.old_repo", credits: 5 },
      ],
      authorDefault: 10,
      authors: [
        { login: "octo-cat", credits: 1 },
        { login: "dependabot[bot]", credits: 0 },
      ],
      pullRequestRuns: 1,
      warnAtPercent: 100,
    };
    expect(budgetRulesSchema.parse(rules)).toEqual(rules);
  });

  it.each([
    ["a negative cap", { account: -1 }, "account"],
    ["a fractional cap", { authorDefault: 1.5 }, "authorDefault"],
    ["a cap over a billion", { account: MAX_BUDGET_CREDITS + 1 }, "account"],
    ["a string cap", { account: "10" }, "account"],
    ["a run cap of 0", { pullRequestRuns: 0 }, "pullRequestRuns"],
    ["a run cap over 1000", { pullRequestRuns: 1001 }, "pullRequestRuns"],
    ["a warning at 0 %", { warnAtPercent: 0 }, "warnAtPercent"],
    ["a warning over 100 %", { warnAtPercent: 101 }, "warnAtPercent"],
    ["a null warning share", { warnAtPercent: null }, "warnAtPercent"],
    ["an unknown field", { acount: 10 }, ""],
    [
      "an unknown field in a rule",
      { repositories: [{ pattern: "a", credits: 1, x: 1 }] },
      "repositories.0",
    ],
    ["an empty pattern", { repositories: [{ pattern: "", credits: 1 }] }, "repositories.0.pattern"],
    [
      "a pattern of 101 characters",
      { repositories: [{ pattern: "a".repeat(101), credits: 1 }] },
      "repositories.0.pattern",
    ],
    [
      "a pattern with the owner",
      { repositories: [{ pattern: "acme/api", credits: 1 }] },
      "repositories.0.pattern",
    ],
    [
      "a pattern with a space",
      { repositories: [{ pattern: "my api", credits: 1 }] },
      "repositories.0.pattern",
    ],
    [
      "an unclosed bracket",
      { repositories: [{ pattern: "api-[ab", credits: 1 }] },
      "repositories.0.pattern",
    ],
    [
      "an unclosed brace",
      { repositories: [{ pattern: "{web,app", credits: 1 }] },
      "repositories.0.pattern",
    ],
    [
      "a repository rule without credits",
      { repositories: [{ pattern: "api" }] },
      "repositories.0.credits",
    ],
    ["a login with a dot", { authors: [{ login: "octo.cat", credits: 1 }] }, "authors.0.login"],
    [
      "a login starting with a hyphen",
      { authors: [{ login: "-octo", credits: 1 }] },
      "authors.0.login",
    ],
    [
      "a login of 40 characters",
      { authors: [{ login: "a".repeat(40), credits: 1 }] },
      "authors.0.login",
    ],
    ["an empty login", { authors: [{ login: "", credits: 1 }] }, "authors.0.login"],
  ])("refuses %s", (_what, input, path) => {
    const issues = issuesOf(input);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.map((i) => i.slice(0, i.indexOf(":")))).toContain(path);
  });

  it("refuses the same pattern or login twice, whatever the case, naming the second", () => {
    expect(
      issuesOf({
        repositories: [
          { pattern: "API", credits: 1 },
          { pattern: "web", credits: 1 },
          { pattern: "api", credits: 2 },
        ],
        authors: [
          { login: "Octocat", credits: 1 },
          { login: "octocat", credits: 1 },
        ],
      }),
    ).toEqual([
      "repositories.2.pattern: api is listed twice (names are case-insensitive)",
      "authors.1.login: octocat is listed twice (names are case-insensitive)",
    ]);
  });

  it("takes as many rules as allowed, and refuses one more", () => {
    const repositories = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ pattern: `repo-${i}`, credits: 1 }));
    const authors = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ login: `user-${i}`, credits: 1 }));
    expect(issuesOf({ repositories: repositories(MAX_REPOSITORY_RULES) })).toEqual([]);
    expect(issuesOf({ authors: authors(MAX_AUTHOR_RULES) })).toEqual([]);
    expect(issuesOf({ repositories: repositories(MAX_REPOSITORY_RULES + 1) })).toHaveLength(1);
    expect(issuesOf({ authors: authors(MAX_AUTHOR_RULES + 1) })).toHaveLength(1);
  });

  it("says what a repository pattern may hold", () => {
    expect(issuesOf({ repositories: [{ pattern: "acme/api", credits: 1 }] })).toEqual([
      "repositories.0.pattern: must be a repository name (without the owner) or a glob: letters, digits, . _ - and * ? [ ] { } , !",
    ]);
  });

  it("says what is wrong with a glob or a login", () => {
    expect(
      issuesOf({
        repositories: [{ pattern: "api-[", credits: 1 }],
        authors: [{ login: "-octocat", credits: 1 }],
      }),
    ).toEqual([
      "repositories.0.pattern: is not a valid glob (an unclosed [ or {?)",
      "authors.0.login: is not a GitHub login",
    ]);
  });

  it("tells API users what each field means (the OpenAPI document is made from these)", () => {
    const described = (schema: unknown): Record<string, string | undefined> => {
      const json = schema as { properties: Record<string, { description?: string }> };
      return Object.fromEntries(
        Object.entries(json.properties).map(([k, v]) => [k, v.description]),
      );
    };
    // The JSON Schema's own types allow a boolean for every property; this one is objects.
    const schema: unknown = z.toJSONSchema(budgetRulesSchema, { io: "input" });
    const top = schema as { properties: { repositories: { items: unknown } } };
    expect(described(top)).toStrictEqual({
      account: "Credits per month for the whole account; null: no cap",
      repositories:
        "Each matching repository gets the cap on its own; an exact name wins over globs, among globs the first listed",
      authorDefault:
        "Credits per month for each pull request author not listed in authors; null: no cap",
      authors: "Caps for named authors, in place of authorDefault",
      pullRequestRuns: "Charged review runs per pull request per month; null: no cap",
      warnAtPercent: "The share of a budget at which the billing contacts are warned, once a month",
    });
    expect(described(top.properties.repositories.items)["pattern"]).toBe(
      "A repository name (`api`) or a glob (`api-*`, `{web,app}`), case-insensitive",
    );
  });
});
