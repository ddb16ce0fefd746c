/**
 * The Billing page's auto top-up card in a real headless Chromium (set up as in
 * dashboard.test.ts): the saved card, the settings form switching it on, this month's
 * top-ups against the limit, the last attempt with its outcome, and the banner after a
 * decline and after three.
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import type { Page } from "playwright-core";
import { toAccountId, type Account } from "../../src/accounts/types.js";
import { expectAccessible } from "../support/browser/axe-check.js";
import { chromiumSuite } from "../support/browser/chromium.js";
import { startDashboardApp, type DashboardApp } from "../support/browser/dashboard-app.js";
import type { Harness } from "../support/harness.js";
import { growthAttempt, saveCard } from "../support/top-up-fixtures.js";

const { suite, chromiumPath } = chromiumSuite();

suite("the auto top-up card in Chromium", () => {
  let app: DashboardApp;
  let h: Harness;
  let page: Page;
  let base: string;
  let acme: Account;
  let consoleErrors: string[];

  beforeAll(async () => {
    app = await startDashboardApp(
      chromiumPath,
      [{ id: 101, login: "Acme-Corp" }],
      [{ id: 7, login: "alice", roles: { "Acme-Corp": "admin" } }],
    );
    ({ h, page, base, consoleErrors } = app);
    acme = await h.store.accounts.upsert({
      id: toAccountId(101),
      login: "Acme-Corp",
      type: "Organization",
    });
    await h.ledger.ensureFreeTier(acme.id);
    await h.ledger.grant(acme.id, {
      type: "bonus",
      amount: 50,
      description: "welcome",
      idempotencyKey: "b1",
    });
    // A card saved in Checkout's setup mode (what its signed completion records).
    await saveCard(h.store, acme.id, "cus_TAcme", new Date());
  }, 120_000);

  afterAll(() => app?.close());

  const figure = (name: string) => page.locator(`[data-figure="${name}"]`).innerText();
  const card = () => page.getByTestId("auto-top-up");
  const banner = () => page.getByTestId("auto-top-up-banner");

  /** An attempt of this month, settled as `outcome` (or left in flight). */
  async function attempt(entry: string, outcome: "paid" | "declined" | null, minutesAgo: number) {
    const key = `auto-top-up:101:${entry}`;
    const at = new Date(Date.now() - minutesAgo * 60_000);
    await h.store.topUpAttempts.begin(growthAttempt(acme.id, key, at, "cus_TAcme"));
    if (outcome) await h.store.topUpAttempts.settle(acme.id, key, outcome, new Date());
  }

  it("shows the card and no top-up yet, and an admin switches it on with the form", async () => {
    await page.goto(`${base}/billing`);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp`);
    await card().waitFor();
    expect(await figure("card")).toBe("visa ending in 4242");
    expect(await figure("lastTopUp")).toBe("None yet");
    expect(await figure("topUpsThisMonth")).toBe("0 of 3 top-ups, $0.00 of $90.00");
    await expect(banner().count()).resolves.toBe(0);

    await page.getByLabel("Buy credits automatically when the balance runs low").check();
    await page.getByLabel("Package").selectOption("growth");
    await page.getByLabel("When the balance is at or below (credits)").fill("20");
    await page.getByLabel("At most this many top-ups a month").fill("2");
    await page.getByLabel("At most this much a month (US dollars)").fill("245");
    await page.getByRole("button", { name: "Save auto top-up" }).click();
    await page.getByText("Auto top-up is on.").waitFor();
    expect(await h.store.autoTopUp.find(acme.id)).toMatchObject({
      enabled: true,
      packageId: "growth",
      thresholdCredits: 20,
      monthlyMaxCount: 2,
      monthlyMaxCents: 24500,
    });
    expect(await figure("topUpsThisMonth")).toBe("0 of 2 top-ups, $0.00 of $245.00");
    expect(consoleErrors).toEqual([]);
    await expectAccessible(page, "auto-top-up-on");
  });

  it("says what the server refuses, and changes nothing", async () => {
    // A threshold above the package's 500 credits.
    await page.getByLabel("When the balance is at or below (credits)").fill("501");
    await page.getByRole("button", { name: "Save auto top-up" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").innerText()).toMatch(/threshold/i);
    expect((await h.store.autoTopUp.find(acme.id))?.thresholdCredits).toBe(20);
    consoleErrors.length = 0;
  });

  it("shows this month's top-ups, the last attempt's outcome, and a banner after a decline", async () => {
    await attempt("e1", "paid", 20);
    await attempt("e2", "declined", 10);
    await page.reload();
    await card().waitFor();
    expect(await figure("topUpsThisMonth")).toBe("1 of 2 top-ups, $122.50 of $245.00");
    expect(await figure("lastTopUp")).toMatch(
      /: 500 credits for \$122\.50, declined by the card's bank$/,
    );
    expect(await banner().innerText()).toMatch(/^The last automatic top-up \(.+\) was declined\./);
    await expectAccessible(page, "auto-top-up-declined");
  });

  it("says so when three declines switched it off", async () => {
    await h.store.autoTopUp.switchOff(acme.id, "declined", new Date());
    await page.reload();
    await banner().waitFor();
    expect(await banner().innerText()).toBe(
      "Auto top-up is off: the card was declined three times in a row. Save another card and switch it on again.",
    );
    await expect(
      page.getByLabel("Buy credits automatically when the balance runs low").isChecked(),
    ).resolves.toBe(false);
    expect(consoleErrors).toEqual([]);
  });
});
