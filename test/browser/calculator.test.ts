/**
 * The cost calculator in a real headless Chromium (set up as in dashboard.test.ts): signed out
 * at /billing/calculator, and signed in inside an account, filled in from its recent pace; and
 * the money spent on credits on the Billing page.
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import type { Page } from "playwright-core";
import { toAccountId } from "../../src/accounts/types.js";
import { expectAccessible } from "../support/browser/axe-check.js";
import { chromiumSuite } from "../support/browser/chromium.js";
import { startDashboardApp, type DashboardApp } from "../support/browser/dashboard-app.js";
import type { Harness } from "../support/harness.js";

const { suite, chromiumPath } = chromiumSuite();

suite("the cost calculator in Chromium", () => {
  let app: DashboardApp;
  let h: Harness;
  let page: Page;
  let base: string;
  let consoleErrors: string[];

  beforeAll(async () => {
    app = await startDashboardApp(
      chromiumPath,
      [{ id: 101, login: "Acme-Corp" }],
      [{ id: 7, login: "alice", roles: { "Acme-Corp": "admin" } }],
    );
    ({ h, page, base, consoleErrors } = app);

    // Acme-Corp: 28 reviews in the last 14 days, 2 a day: 60 in 30 days.
    const acme = await h.store.accounts.upsert({
      id: toAccountId(101),
      login: "Acme-Corp",
      type: "Organization",
    });
    await h.ledger.ensureFreeTier(acme.id);
    await h.ledger.grant(acme.id, {
      type: "bonus",
      amount: 30,
      description: "welcome",
      idempotencyKey: "b1",
    });
    // One Starter bought through Checkout this month: $30.00 spent.
    await h.store.checkoutSessions.record({
      sessionId: "cs_test_starter",
      accountId: acme.id,
      packageId: "starter",
      credits: 100,
      priceCents: 3000,
      currency: "usd",
      createdAt: new Date(),
    });
    await h.ledger.grant(acme.id, {
      type: "purchase",
      amount: 100,
      description: "Starter: 100 credits",
      reference: { kind: "stripe", checkoutSession: "cs_test_starter" },
      idempotencyKey: "p1",
    });
    for (let i = 1; i <= 28; i++) {
      await h.ledger.charge(acme.id, {
        action: "review",
        description: `review ${i}`,
        idempotencyKey: `r${i}`,
      });
    }
  }, 120_000);

  afterAll(() => app?.close());

  const check = (name: string) => expectAccessible(page, name);

  const answer = () => page.getByTestId("calculator-answer");

  it("prices a workload signed out: 600 PRs, 2 runs each, per run -> $305.00", async () => {
    await page.goto(`${base}/billing/calculator`);
    await page.getByRole("heading", { name: "Cost calculator" }).waitFor();
    await page.getByLabel("Pull requests a month").fill("600");
    await page.getByLabel("One credit per review run").check();
    await page.getByLabel(/Review runs per pull request/).fill("2");
    await page.getByRole("button", { name: "Calculate" }).click();
    await answer().waitFor();
    expect(await page.getByTestId("monthly-cost").innerText()).toBe("$305.00");
    expect(await page.getByTestId("cheapest-mix").innerText()).toBe(
      "Cheapest: 2 × Growth + 2 × Starter (1,200 credits; what is left carries over), $0.2542 per review.",
    );
    expect(await answer().innerText()).toContain("1,197 credits to buy");
    expect(await page.locator('tr[data-package="scale"]').innerText()).toBe(
      "Scale\t$0.198\t1\t$396.00",
    );
    // Signed out, with the way in; nothing failed on the way.
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    expect(consoleErrors).toEqual([]);
    await check("calculator-signed-out");
  });

  it("says what is wrong with a workload the server refuses, and answers the next one", async () => {
    // Past the field's max: the browser's own check is bypassed, so the server's 400 is shown.
    await page.getByLabel("Pull requests a month").evaluate((el) => el.removeAttribute("max"));
    await page.getByLabel("Pull requests a month").fill("100001");
    await page.getByRole("button", { name: "Calculate" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").innerText()).toMatch(/pullRequestsPerMonth/);
    await expect(answer().count()).resolves.toBe(0);
    consoleErrors.length = 0;
    await page.getByLabel("Pull requests a month").fill("10");
    await page.getByLabel("One credit per pull request").check();
    await page.getByRole("button", { name: "Calculate" }).click();
    await answer().waitFor();
    expect(await page.getByTestId("monthly-cost").innerText()).toBe("$30.00");
  });

  it("prices the same workload in euros at the packages' euro prices", async () => {
    await page.getByLabel("Pull requests a month").fill("600");
    await page.getByLabel("One credit per review run").check();
    await page.getByLabel(/Review runs per pull request/).fill("2");
    await page.getByLabel("Currency").selectOption("eur");
    await page.getByRole("button", { name: "Calculate" }).click();
    await page.getByTestId("monthly-cost").filter({ hasText: "€" }).waitFor();
    // 1,197 credits: 2 Growth (€114.00) + 2 Starter (€28.00) = €284.00.
    expect(await page.getByTestId("monthly-cost").innerText()).toBe("€284.00");
    expect(await page.locator('tr[data-package="scale"]').innerText()).toBe(
      "Scale\t€0.184\t1\t€368.00",
    );
    await page.getByLabel("Currency").selectOption("usd");
  });

  it("signed in, it sits in the account's navigation, filled in from its pace", async () => {
    await page.goto(`${base}/billing`);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp`);
    await page.getByRole("link", { name: "Cost calculator" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp/calculator`);
    // 28 credits in 14 days is 2 a day: 60 in 30 days.
    await expect(page.getByLabel("Pull requests a month").inputValue()).resolves.toBe("60");
    await page.getByRole("button", { name: "Calculate" }).click();
    await answer().waitFor();
    expect(await answer().innerText()).toContain("57 credits to buy");
    expect(await page.getByTestId("monthly-cost").innerText()).toBe("$30.00");
    await check("calculator-signed-in");
  });

  it("shows the money spent on credits beside them on the Billing page", async () => {
    await page.getByRole("link", { name: "Billing" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp`);
    const spent = page.locator('[data-figure="spentThisMonth"]');
    await spent.waitFor();
    expect(await spent.innerText()).toBe("$30.00 for 100 credits, $0.30 per review");
    expect(await page.locator('[data-figure="spentLastMonth"]').innerText()).toBe("$0.00");
    expect(consoleErrors).toEqual([]);
    await check("billing-spend");
  });

  it("shows spend and the balance's worth in the account's currency once a payment fixed it", async () => {
    const acme = toAccountId(101);
    // A Growth package paid in euros: the first payment fixes EUR for the account.
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 500,
      description: "Growth: 500 credits",
      reference: {
        kind: "stripe",
        paymentIntent: "pi_test_eur",
        paidCents: 11400,
        currency: "eur",
      },
      idempotencyKey: "p2",
    });
    await h.store.accounts.fixBillingCurrency(acme, "eur");
    const { balance } = await h.ledger.summary(acme);

    await page.getByRole("link", { name: "Usage" }).click();
    await page.getByRole("heading", { name: "Spent on credits (euros)" }).waitFor();
    // Only purchases paid in euros count: the dollar Starter is left out.
    expect(await page.locator('[data-figure="spentThisMonth"]').innerText()).toBe(
      "€114.00 for 500 credits, €0.228 per review",
    );

    await page.getByRole("link", { name: "Billing" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp`);
    // The account's summary is read when the account is opened: open it afresh.
    await page.reload();
    const worth = page.locator('[data-figure="balanceValue"]');
    await worth.waitFor();
    // By hand: the balance at 11400 cents per 500 credits, rounded to a cent.
    const cents = Math.round((balance * 11400) / 500);
    expect(await worth.innerText()).toBe(
      `€${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`,
    );
    // Fixed: no currency to pick, and the packages in euros.
    await expect(page.getByTestId("checkout-currency").count()).resolves.toBe(0);
    expect(await page.locator('li[data-package="growth"] .price').innerText()).toBe("€114.00");
    expect(consoleErrors).toEqual([]);
    await check("billing-spend-eur");
  });
});
