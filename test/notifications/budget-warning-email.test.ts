import { describe, expect, it } from "@jest/globals";
import type { BudgetWarning } from "../../src/ledger/month-use.js";
import { budgetWarningEmail } from "../../src/notifications/budget-warning-email.js";

const base = { accountLogin: "acme-corp", publicUrl: "https://jasper.test/", period: "2026-12" };
const repository: BudgetWarning = {
  id: "repository:acme-corp/api",
  budget: "repository",
  cap: 40,
  used: 32,
};

describe("budgetWarningEmail", () => {
  it("names each kind of budget, its share, use and month in the subject", () => {
    expect(budgetWarningEmail({ ...base, warning: repository }).subject).toBe(
      "Jasper: acme-corp's budget for the `api` repository is 80% used (32/40 credits, December 2026)",
    );
    const account = { id: "account", budget: "account", cap: 500, used: 451 } as const;
    expect(budgetWarningEmail({ ...base, warning: account }).subject).toBe(
      "Jasper: acme-corp's monthly budget is 90% used (451/500 credits, December 2026)",
    );
    const author = { id: "author:octo-cat", budget: "author", cap: 3, used: 3 } as const;
    expect(budgetWarningEmail({ ...base, period: "2027-02", warning: author }).subject).toBe(
      "Jasper: octo-cat's monthly review budget at acme-corp is 100% used (3/3 credits, February 2027)",
    );
  });

  it("names a repository counted by its GitHub id by the name the warning carries", () => {
    const byId = { ...repository, id: "repository:1296269", repository: "acme-corp/api-v2" };
    expect(budgetWarningEmail({ ...base, warning: byId }).subject).toContain(
      "budget for the `api-v2` repository",
    );
  });

  it("floors the share, so it never says more than was used", () => {
    const w = { ...repository, cap: 3, used: 2 };
    expect(budgetWarningEmail({ ...base, warning: w }).subject).toContain("is 66% used");
  });

  it("says what happens at 100%, who can raise it and where, and when it resets", () => {
    const { text, html } = budgetWarningEmail({ ...base, warning: repository });
    expect(text).toContain("32 of its 40 credits are used");
    expect(text).toContain("reviews that would go over it are paused");
    expect(text).toContain("the pull request shows it");
    expect(text).toContain("Chat replies and commands keep working");
    expect(text).toContain("An admin of acme-corp can raise the budget");
    expect(text).toContain("Budgets: https://jasper.test/billing/budgets\n");
    expect(text).toContain("starts again from zero on January 1, 2027 (UTC)");
    expect(html).toContain('<a href="https://jasper.test/billing/budgets">Budgets</a>');
    expect(html).toContain("<p>In December 2026, acme-corp&#39;s budget");
  });

  it("escapes the login and repository name in the HTML part", () => {
    const hostile = '<img src=x onerror="alert(1)">';
    const { html, text } = budgetWarningEmail({
      ...base,
      accountLogin: hostile,
      warning: { ...repository, id: "repository:x/<b>api</b>" },
    });
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;");
    expect(html).toContain("`&#60;b&#62;api&#60;/b&#62;`");
    expect(text).toContain("<img src=x");
  });
});
