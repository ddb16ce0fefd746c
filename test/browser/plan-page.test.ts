/**
 * The Plan page in a real headless Chromium (set up as auto-top-up.test.ts): the plan, its
 * billing, this month's plan credits left (and the header's balance counting them), the
 * period's end and the seats; what a change, a cancel and a reactivation do and when, said
 * before the click; the payment-failed banner; and a phone's width.
 *
 * The changes go to Stripe, which the browser suite does not fake: those API calls are answered
 * in the browser (page.route), with the state Stripe's events would leave written to the store,
 * and the request the page sent is checked. The routes themselves are tested against Stripe's
 * API mocked with nock (test/api, test/billing). A Free account's Subscribe reaches the real
 * API, which answers that Stripe is not set up.
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import type { Page, Route } from "playwright-core";
import { toAccountId, type Account } from "../../src/accounts/types.js";
import type { SubscriptionState } from "../../src/billing/subscription-store.js";
import { expectAccessible } from "../support/browser/axe-check.js";
import { chromiumSuite } from "../support/browser/chromium.js";
import { startDashboardApp, type DashboardApp } from "../support/browser/dashboard-app.js";
import type { Harness } from "../support/harness.js";
import { prRef } from "../support/ledger-fixture.js";

const { suite, chromiumPath } = chromiumSuite();
const DAY = 86_400_000;

suite("the Plan page in Chromium", () => {
  let app: DashboardApp;
  let h: Harness;
  let page: Page;
  let base: string;
  let acme: Account;
  let consoleErrors: string[];
  const now = Date.now();
  const periodStart = new Date(now - 10 * DAY);
  const periodEnd = new Date(now + 20 * DAY);
  const endText = periodEnd.toLocaleDateString("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
  let updated = now;

  /** The subscription as Stripe's events would leave it after `over`. */
  const putSubscription = async (over: Partial<SubscriptionState>) => {
    const current = await h.store.subscriptions.find("sub_TAcme");
    updated += 1000;
    await h.store.subscriptions.put({
      accountId: acme.id,
      customerId: "cus_TAcme",
      subscriptionId: "sub_TAcme",
      plan: "pro",
      interval: "month",
      status: "active",
      currentPeriodStart: periodStart,
      currentPeriodEnd: periodEnd,
      cancelAtPeriodEnd: false,
      ...current,
      ...over,
      updatedAt: new Date(updated),
    });
  };

  /** The API's answer to a change (the Subscription schema) for the state in the store. */
  const answer = async (route: Route, scheduledChange: object | null = null) => {
    const s = (await h.store.subscriptions.find("sub_TAcme"))!;
    await route.fulfill({
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({
        subscription: s.subscriptionId,
        plan: s.plan,
        interval: s.interval,
        status: s.status,
        currentPeriodEnd: s.currentPeriodEnd.toISOString(),
        cancelAtPeriodEnd: s.cancelAtPeriodEnd,
        scheduledChange,
      }),
    });
  };

  beforeAll(async () => {
    app = await startDashboardApp(
      chromiumPath,
      [
        { id: 101, login: "Acme-Corp" },
        { id: 102, login: "Initech" },
      ],
      [{ id: 7, login: "alice", roles: { "Acme-Corp": "admin", Initech: "admin" } }],
    );
    ({ h, page, base, consoleErrors } = app);
    acme = await h.store.accounts.upsert({
      id: toAccountId(101),
      login: "Acme-Corp",
      type: "Organization",
    });
    await h.store.accounts.upsert({ id: toAccountId(102), login: "Initech", type: "Organization" });
    await h.ledger.ensureFreeTier(acme.id);
    await putSubscription({});
    await h.ledger.grantPlan(acme.id, {
      subscription: "sub_TAcme",
      plan: "pro",
      monthStart: periodStart,
      monthEnd: periodEnd,
      credits: 200,
      description: "Pro plan credits",
    });
    // Three free credits, then one plan credit; two authors.
    for (const [i, author] of ["alice", "bob", "alice", "bob"].entries()) {
      await h.ledger.charge(acme.id, {
        action: "review",
        description: `Review of #${i + 1}`,
        reference: { ...prRef(i + 1), author },
        idempotencyKey: `review-${i}`,
      });
    }
  }, 120_000);

  afterAll(() => app?.close());

  const figure = (name: string) => page.locator(`[data-figure="${name}"]`).innerText();
  const confirmBox = () => page.getByTestId("confirm-change");

  it("shows the plan, its billing, the plan credits left, the period's end and the seats", async () => {
    await page.goto(`${base}/billing/Acme-Corp/plan`);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp/plan`);
    await page.getByTestId("plan-figures").waitFor();
    expect(await figure("plan")).toBe("Pro");
    expect(await figure("interval")).toBe("Monthly");
    expect(await figure("planCredits")).toBe("199 credits of 200 credits");
    expect(await figure("periodEnd")).toBe(endText);
    expect(await figure("seats")).toBe("2");
    // The header's balance is the plan credits (the free ones are spent).
    expect(await page.getByTestId("header-balance").innerText()).toContain("199 credits");
    await expect(
      page.getByRole("link", { name: "Plan" }).getAttribute("aria-current"),
    ).resolves.toBe("page");
    await expect(
      page.getByRole("button", { name: /^Current plan Pro/ }).isDisabled(),
    ).resolves.toBe(true);
    await expect(page.getByTestId("payment-failed-banner").count()).resolves.toBe(0);
    expect(consoleErrors).toEqual([]);
    await expectAccessible(page, "plan-pro");
  });

  it("says an upgrade is at once before the click, and sends it", async () => {
    const sent: unknown[] = [];
    await page.route("**/api/v1/organizations/Acme-Corp/billing/subscription", async (route) => {
      sent.push(route.request().postDataJSON());
      await putSubscription({ plan: "team" });
      await answer(route);
    });
    await page.getByRole("button", { name: "Upgrade Team, $149.00 a month" }).click();
    expect(await confirmBox().innerText()).toContain(
      "At once: the account moves to Team at $149.00 a month. Stripe charges the prorated difference for the rest of the period now; 550 more plan credits for this month are added now.",
    );
    await page.getByRole("button", { name: "Confirm Team" }).click();
    await page.getByText("Changed: the account is on Team (monthly).").waitFor();
    await page.locator('[data-figure="plan"]', { hasText: "Team" }).waitFor();
    await expect(confirmBox().count()).resolves.toBe(0);
    expect(sent).toEqual([{ plan: "team", interval: "month" }]);
    await page.unrouteAll();
  });

  it("says a downgrade waits for the period's end, and what stays until then", async () => {
    const at = periodEnd.toISOString();
    await page.route("**/api/v1/organizations/Acme-Corp/billing/subscription", async (route) => {
      // What the API records with the schedule (subscription-changes.ts).
      await putSubscription({
        scheduledChange: { plan: "pro", interval: "month", effectiveAt: periodEnd },
      });
      await answer(route, { plan: "pro", interval: "month", at });
    });
    await page.getByRole("button", { name: "Downgrade Pro, $49.00 a month" }).click();
    expect(await confirmBox().innerText()).toContain(
      `On ${endText}, at the end of the period you paid for: the account moves to Pro at $49.00 a month, 200 credits a month. Until then it keeps Team and its credits. Nothing is charged now.`,
    );
    // Going back sends nothing.
    await page.getByRole("button", { name: "Go back" }).click();
    await expect(confirmBox().count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Downgrade Pro, $49.00 a month" }).click();
    await page.getByRole("button", { name: "Confirm Pro" }).click();
    await page.getByText(`Scheduled: Pro (monthly) from ${endText}.`).waitFor();
    expect(await figure("plan")).toBe("Team");
    await page.unrouteAll();
    // Billing status says it on any later visit, not only after the click (issue 20).
    const scheduled = `On ${endText} the account moves to Pro, billed monthly.`;
    await page.getByTestId("scheduled-note").waitFor();
    expect(await page.getByTestId("scheduled-note").innerText()).toBe(scheduled);
    await page.reload();
    await page.getByTestId("scheduled-note").waitFor();
    expect(await page.getByTestId("scheduled-note").innerText()).toBe(scheduled);
    expect(await figure("plan")).toBe("Team");
    await expectAccessible(page, "plan-scheduled-downgrade");
  });

  it("says what cancelling keeps and until when, then offers reactivating", async () => {
    await page.route("**/billing/subscription/cancel", async (route) => {
      // Cancelling releases the schedule: the downgrade no longer follows.
      await putSubscription({ cancelAtPeriodEnd: true, scheduledChange: undefined });
      await answer(route);
    });
    await page.route("**/billing/subscription/reactivate", async (route) => {
      await putSubscription({ cancelAtPeriodEnd: false });
      await answer(route);
    });
    await page.getByRole("button", { name: "Cancel plan" }).click();
    expect(await confirmBox().innerText()).toContain(
      `The Team plan stays until ${endText}, and this month's plan credits can be used until their month ends. From ${endText} the account is on Free`,
    );
    await page.getByRole("button", { name: "Confirm cancelling" }).click();
    await page.getByTestId("cancelled-note").waitFor();
    expect(await page.getByTestId("cancelled-note").innerText()).toBe(
      `Cancelled: Team stays until ${endText}; then the account is on Free.`,
    );
    await expect(page.getByTestId("scheduled-note").count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Reactivate plan" }).click();
    expect(await confirmBox().innerText()).toContain(
      `The Team plan continues: Stripe renews it on ${endText} at $149.00 a month, with the card on file. No new checkout.`,
    );
    await page.getByRole("button", { name: "Confirm reactivating" }).click();
    await page.getByText(`Reactivated: Team renews on ${endText}.`).waitFor();
    await page.getByRole("button", { name: "Cancel plan" }).waitFor();
    await page.unrouteAll();
    expect(consoleErrors).toEqual([]);
  });

  it("shows the payment-failed banner, whose Manage billing opens the portal, and fits a phone", async () => {
    await putSubscription({ status: "past_due" });
    const portal = "https://billing.stripe.test/p/session/test_portal";
    await page.route("**/api/v1/organizations/Acme-Corp/billing/portal", (route) =>
      route.fulfill({
        status: 201,
        contentType: "application/json",
        body: JSON.stringify({ url: portal }),
      }),
    );
    // Everything of the fake portal's host, the favicon the browser asks for after the page
    // included: left to the network after unrouting, that lookup failed as a console error.
    await page.route("https://billing.stripe.test/**", (route) =>
      route.request().url() === portal
        ? route.fulfill({
            contentType: "text/html",
            body: '<!doctype html><html lang="en"><link rel="icon" href="data:,"><title>Portal</title><h1>Fake portal</h1></html>',
          })
        : route.fulfill({ status: 404, body: "" }),
    );
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    const banner = page.getByTestId("payment-failed-banner");
    await banner.waitFor();
    expect(await banner.innerText()).toContain(
      "Payment failed: the renewal of your Team plan did not go through.",
    );
    const overflow = await page.evaluate(
      "document.documentElement.scrollWidth - window.innerWidth",
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page, "plan-payment-failed-phone");
    await banner.getByRole("button", { name: "Manage billing" }).click();
    await page.waitForURL(portal);
    await page.getByRole("heading", { name: "Fake portal" }).waitFor();
    await page.unrouteAll();
    await page.setViewportSize({ width: 1100, height: 900 });
    expect(consoleErrors).toEqual([]);
  });

  it("offers a Free account the plans through Checkout, and says when Stripe is not set up", async () => {
    await page.goto(`${base}/billing/Initech/plan`);
    await page.getByTestId("plan-figures").waitFor();
    expect(await figure("plan")).toBe("Free");
    expect(await figure("interval")).toBe("None");
    await expect(page.getByRole("button", { name: "Cancel plan" }).count()).resolves.toBe(0);
    await page.getByLabel("Annual").check();
    await page.getByRole("button", { name: "Subscribe Pro, $490.00 a year" }).click();
    expect(await confirmBox().innerText()).toContain(
      "Stripe Checkout opens for Pro at $490.00 a year. The plan starts when Stripe says the first payment went through",
    );
    await page.getByRole("button", { name: "Continue to Stripe for Pro" }).click();
    // This harness has no Stripe: the API answers 503 and the page says so.
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").innerText()).toContain(
      "A service Jasper needs is unavailable",
    );
    expect(await h.store.subscriptions.findByAccount(toAccountId(102))).toBeNull();
    consoleErrors.length = 0; // the 503 is logged by the browser as a failed resource
  });

  it("shows an operator's enterprise plan with its terms, and no change or cancel buttons", async () => {
    await h.jasper.operators.enterprisePlan(
      { name: "ops", interface: "cli" },
      {
        account: "Initech",
        name: "Enterprise Initech",
        creditsPerMonth: 3000,
        priceCents: 250000,
        daysUntilDue: 30,
        reason: "contract",
      },
    );
    await page.reload();
    await page.getByTestId("plan-figures").waitFor();
    expect(await figure("plan")).toBe("Enterprise Initech");
    expect(await figure("interval")).toBe("By invoice: $2500.00 a month, due in 30 days");
    expect(await figure("planCredits")).toBe("3,000 credits of 3,000 credits");
    await page.getByTestId("enterprise-note").waitFor();
    await expect(page.getByRole("button", { name: "Cancel plan" }).isVisible()).resolves.toBe(
      false,
    );
    await expect(page.getByRole("heading", { name: "Change plan" }).isVisible()).resolves.toBe(
      false,
    );
    await expectAccessible(page, "plan-enterprise");
  });
});
