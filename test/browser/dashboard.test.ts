/**
 * The dashboard in a real headless Chromium (playwright-core), driving the running app (the
 * whole of compose.ts on the in-memory store and real Redis) with GitHub's OAuth and API and
 * Stripe faked on 127.0.0.1. axe-core checks every page; one screenshot per page goes to
 * artifacts/browser/ (gitignored).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { toAccountId, type Account, type AccountId } from "../../src/accounts/types.js";
import { createGitHubAuth } from "../../src/api/auth/github-auth.js";
import { createStripe } from "../../src/billing/stripe-client.js";
import { expectAccessible } from "../support/browser/axe-check.js";
import { CHROMIUM_ARGS, findChromium } from "../support/browser/chromium.js";
import { browserAppEnv, buildDashboard } from "../support/browser/dashboard-app.js";
import { startFakeGitHub } from "../support/browser/fake-github.js";
import { startFakeStripe } from "../support/browser/fake-stripe.js";
import { freePort } from "../support/browser/http-fake.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";
import { claimPendingRun } from "../support/runs.js";
import { signedStripeDelivery, stripeEvent, WEBHOOK_SECRET } from "../support/stripe-test-kit.js";

const chromiumPath = findChromium();
/** Org B's balance: a number that must appear nowhere in what org A's admin sees. */
const ORG_B_BALANCE = 7777;

if (!chromiumPath) {
  if (process.env.CI === "true") {
    throw new Error(
      "browser tests: no Chromium found (set CHROMIUM_PATH, or install Debian's chromium); CI needs it",
    );
  }
  console.log(
    "browser tests SKIPPED: no Chromium found; install one (apt-get install chromium) or set CHROMIUM_PATH=/path/to/chromium",
  );
}
const suite = chromiumPath ? describe : describe.skip;

suite("dashboard in Chromium", () => {
  let h: Harness;
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let stripe: Awaited<ReturnType<typeof startFakeStripe>>;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let orgA: Account;
  let webDir: string;
  let profile: string;
  const seen: string[] = [];
  const cspViolations: string[] = [];
  /** What the page logs as errors (a failed request is one): cleared where a test looks. */
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    webDir = buildDashboard();
    github = await startFakeGitHub(
      [
        { id: 101, login: "Acme-Corp" },
        { id: 202, login: "Globex" },
        { id: 303, login: "Initech" },
        { id: 404, login: "Hooli" },
      ],
      [
        { id: 7, login: "alice", roles: { "Acme-Corp": "admin", Globex: "member" } },
        { id: 8, login: "carol", roles: { Initech: "admin" } },
        { id: 9, login: "erin", roles: { Hooli: "admin" } },
        { id: 10, login: "dave", roles: { Globex: "member" } },
      ],
    );
    stripe = await startFakeStripe();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = await createHarness({
      env: {
        ...browserAppEnv(base, github, webDir),
        STRIPE_SECRET_KEY: "sk_test_fake",
        STRIPE_API_BASE: stripe.url,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
      github: createGitHubAuth({ baseUrl: `${github.url}/api/v3` }),
      stripe: createStripe("sk_test_fake", stripe.url),
    });
    await h.server.listen({ port, host: "127.0.0.1" });

    orgA = await h.store.accounts.upsert({
      id: toAccountId(101),
      login: "Acme-Corp",
      type: "Organization",
    });
    const orgB = await h.store.accounts.upsert({
      id: toAccountId(202),
      login: "Globex",
      type: "Organization",
    });
    await h.ledger.ensureFreeTier(orgA.id);
    await h.ledger.grant(orgA.id, {
      type: "bonus",
      amount: 20,
      description: "welcome",
      idempotencyKey: "b1",
    });
    for (let i = 1; i <= 5; i++) {
      await h.ledger.charge(orgA.id, {
        action: "review",
        description: `review of acme/app#${i}`,
        idempotencyKey: `r${i}`,
        reference: {
          kind: "pull_request",
          repository: "acme/app",
          number: i,
          url: `https://github.com/acme/app/pull/${i}`,
        },
      });
    }
    await h.ledger.refund(orgA.id, { chargeKey: "r4", description: "review failed" });
    await h.ledger.refund(orgA.id, {
      chargeKey: "r5",
      request: { userId: 7, login: "alice", reason: "flagged generated code" },
    });
    await h.ledger.grant(orgB.id, {
      type: "bonus",
      amount: ORG_B_BALANCE - 3,
      description: "b",
      idempotencyKey: "b",
    });
    await h.ledger.ensureFreeTier(orgB.id);
    // Org C: out of credits (its free tier spent).
    const orgC = await h.store.accounts.upsert({
      id: toAccountId(303),
      login: "Initech",
      type: "Organization",
    });
    await h.ledger.ensureFreeTier(orgC.id);
    for (let i = 1; i <= 3; i++) {
      await h.ledger.charge(orgC.id, {
        action: "review",
        description: "r",
        idempotencyKey: `c${i}`,
      });
    }

    // Org D: brand new, its free tier only.
    const orgD = await h.store.accounts.upsert({
      id: toAccountId(404),
      login: "Hooli",
      type: "Organization",
    });
    await h.ledger.ensureFreeTier(orgD.id);

    profile = mkdtempSync(join(tmpdir(), "jasper-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath!,
      headless: true,
      args: CHROMIUM_ARGS,
      acceptDownloads: true,
      viewport: { width: 1100, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("dialog", (d) => void d.accept());
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await h?.close();
    await new Promise((r) => github?.server.close(r));
    await new Promise((r) => stripe?.server.close(r));
    for (const dir of [webDir, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** No serious accessibility problem (axe), a screenshot, and the page's text for the isolation check. */
  async function check(name: string): Promise<void> {
    await expectAccessible(page, name);
    seen.push(await page.locator("body").innerText());
    seen.push(await page.content());
  }

  const headerBalance = () => page.getByTestId("header-balance");
  const summaryOfA = () => h.ledger.summary(orgA.id);

  it("signs in with GitHub and shows the balance in the header", async () => {
    const res = await page.goto(`${base}/billing`);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.getByRole("link", { name: "Sign in with GitHub" }).waitFor();
    // Signed out is a state, not a failure: no failed request in the console.
    expect(consoleErrors).toEqual([]);
    await check("sign-in");
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    // The account the pages are about is in the address, to bookmark or share.
    await page.waitForURL(`${base}/billing/Acme-Corp`);
    const s = await summaryOfA();
    await expect(headerBalance().innerText()).resolves.toContain(`${s.balance} credits`);
    expect(github.state.exchanged).toBe(1);
    // The token stays on the server: the cookie is HttpOnly, and no page or script sees it.
    const cookies = await context.cookies(base);
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
      ["jasper_session", true, "Lax"],
    ]);
    expect(await page.evaluate("document.cookie")).toBe("");
  });

  it("shows the API's numbers on the billing page, and draws the chart", async () => {
    const s = await summaryOfA();
    const figure = (name: string) => page.locator(`[data-figure="${name}"]`).innerText();
    await page.locator('[data-figure="balance"]').waitFor();
    expect(await figure("balance")).toBe(`${s.balance} credits`);
    expect(await figure("free")).toBe(`${s.buckets.free} credits`);
    expect(await figure("bonus")).toBe(`${s.buckets.bonus} credits`);
    expect(await figure("purchased")).toBe(`${s.buckets.purchased} credits`);
    expect(await figure("usageThisMonth")).toBe(`${s.usageThisMonth} credits`);
    // 20 credits left at 3 net in 14 days: 93 days.
    expect(await page.getByTestId("runway").innerText()).toBe(
      "At the last 14 days' pace, credits last more than 90 days.",
    );
    const bars = page.locator('[data-testid="usage-chart"] rect.bar');
    await expect(bars.count()).resolves.toBe(30);
    const today = new Date().toISOString().slice(0, 10);
    // Five reviews charged today, two refunded (one because it failed, one on request): 3 net.
    await expect(
      page.locator(`rect.bar[data-day="${today}"]`).getAttribute("data-used"),
    ).resolves.toBe("3");
    expect(await page.locator('[data-package="growth"] .saving').innerText()).toBe(
      "Save 18 % vs Starter",
    );
    expect(await page.locator('[data-package="scale"] .saving').innerText()).toBe(
      "Save 34 % vs Starter",
    );
    await check("billing");
  });

  it("buys Growth: Stripe's page, then the webhook's grant on the success page and in the header", async () => {
    const before = (await summaryOfA()).balance;
    await page.getByRole("button", { name: /^Buy Growth/ }).click();
    await page.waitForURL(/\/checkout\/cs_test_fake1$/);
    expect(page.url()).toBe(`${stripe.url}/checkout/cs_test_fake1`);
    const session = stripe.sessions[0]!;
    expect(session.metadata).toEqual({ accountId: "101", packageId: "growth", credits: "500" });

    // Stripe sends the buyer back; the page waits for the webhook and grants nothing itself.
    await page.goto(session.successUrl);
    await page.getByText("Waiting for Stripe to confirm the payment").waitFor();
    expect((await summaryOfA()).balance).toBe(before);
    await check("checkout-success-waiting");

    const event = stripeEvent("checkout.session.completed", {
      id: "evt_browser_1",
      object: {
        id: session.id,
        metadata: session.metadata,
        client_reference_id: session.clientReferenceId,
        amount_total: 12250,
        payment_intent: "pi_browser1",
      },
    });
    const delivery = signedStripeDelivery(event);
    const res = await fetch(`${base}${delivery.url}`, {
      method: "POST",
      headers: delivery.headers,
      body: delivery.payload,
    });
    expect(res.status).toBe(200);
    await expect(page.getByTestId("granted").innerText({ timeout: 15_000 })).resolves.toContain(
      "500 credits added",
    );
    // The header asks for the summary again once the grant shows: awaited, not raced.
    await headerBalance()
      .filter({ hasText: `${before + 500} credits` })
      .waitFor();
    await check("checkout-success");
  });

  it("lists the purchase with its receipt in the history filtered to purchases, and exports CSV", async () => {
    // By keyboard: the skip link comes first, then the navigation; the new page's heading
    // takes the focus.
    await page.goto(`${base}/billing`);
    await headerBalance().waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Skip to content");
    await page.getByRole("link", { name: "History" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`${base}/billing/Acme-Corp/history`);
    await page.locator('[data-testid="history"]').waitFor();
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Transaction history");
    await page.getByLabel("Type").selectOption("purchase");
    await page.getByRole("button", { name: "Apply filters" }).click();
    // Polled from here: waitForFunction would evaluate a string in the page, which its CSP
    // (rightly) refuses.
    await eventually(async () => {
      const types = await page
        .locator('[data-testid="history"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-type")));
      return types.length > 0 && types.every((t) => t === "purchase");
    });
    const rows = page.locator('[data-testid="history"] tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().getByTestId("receipt").getAttribute("href")).resolves.toBe(
      stripe.receiptUrl("pi_browser1"),
    );
    await check("history");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("csv-export").click(),
    ]);
    const csv = readFileSync((await download.path())!, "utf8");
    const lines = csv.trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("purchase");
  });

  it("tells a refund asked for on the pull request from a failed review's", async () => {
    await page.getByLabel("Type").selectOption("refund");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const rows = page.locator('[data-testid="history"] tbody tr[data-type="refund"]');
    await eventually(async () => (await rows.count()) === 2);
    await expect(page.getByTestId("refund-request").allInnerTexts()).resolves.toEqual([
      "Refund requested by @alice: flagged generated code",
    ]);
    await expect(rows.filter({ hasText: "review failed" }).count()).resolves.toBe(1);
  });

  it("shows who spends the credits: by repository and author, sorted, a bar per group, CSV", async () => {
    // Reviews with their authors beside the seeded ones (whose author was not recorded).
    const review = (repository: string, number: number, author: string) =>
      h.ledger.charge(orgA.id, {
        action: "review",
        description: `review of ${repository}#${number}`,
        idempotencyKey: `u-${repository}-${number}`,
        reference: { kind: "pull_request", repository, number, author },
      });
    await review("acme/api", 1, "bob");
    await review("acme/api", 2, "bob");
    await review("acme/app", 5, "alice");

    await page.getByRole("link", { name: "Usage" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp/usage`);
    const table = page.getByTestId("usage-table");
    const keys = () => table.locator("tbody tr").evaluateAll((rs) => rs.map((r) => r.dataset.key));
    const bars = () =>
      page
        .locator('[data-testid="net-chart"] rect.bar')
        .evaluateAll((rs) => rs.map((r) => [r.dataset.key, r.dataset.net]));
    await table.waitFor();
    // acme/app: 5 charged + 1 here, 2 refunded; acme/api: 2. Biggest net first.
    expect(await keys()).toEqual(["acme/app", "acme/api"]);
    expect(await bars()).toEqual([
      ["acme/app", "4"],
      ["acme/api", "2"],
    ]);
    await check("usage");

    await page.getByRole("radio", { name: "By author" }).check();
    await page.locator('[data-testid="usage-table"][data-by="author"]').waitFor();
    expect(await keys()).toEqual(["unknown", "bob", "alice"]);
    expect(await bars()).toEqual([
      ["unknown", "3"],
      ["bob", "2"],
      ["alice", "1"],
    ]);
    const sortedBy = async (column: string, order: string, expected: string[]) => {
      await page.getByRole("button", { name: column, exact: true }).click();
      await page.locator(`th[aria-sort="${order}"]`, { hasText: column }).waitFor();
      await eventually(async () => JSON.stringify(await keys()) === JSON.stringify(expected));
    };
    await sortedBy("Author", "ascending", ["alice", "bob", "unknown"]);
    await sortedBy("Author", "descending", ["unknown", "bob", "alice"]);
    // Only the seeded reviews had a refund; ties by name.
    await sortedBy("Refunds", "descending", ["unknown", "alice", "bob"]);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("usage-csv").click(),
    ]);
    expect(
      readFileSync((await download.path())!, "utf8")
        .trim()
        .split(/\r?\n/),
    ).toEqual([
      "author,reviews,charged,refunds,refunded,net",
      "unknown,5,5,2,2,3",
      "alice,1,1,0,0,1",
      "bob,2,2,0,0,2",
    ]);

    await page.getByRole("radio", { name: /^Last month/ }).check();
    await page.getByText("No reviews were charged or refunded in").waitFor();
    await expect(page.getByTestId("net-chart").count()).resolves.toBe(0);
  });

  it("draws the charts' labels at their text size on a wide screen and on a phone", async () => {
    /**
     * Each label's drawn width against the width of its text in its own font (a canvas
     * measures it): 1 when drawn as text, off when a scaled SVG stretches or squeezes it.
     */
    const labelScales = async () =>
      (await page.evaluate(`[...document.querySelectorAll(".chart .tick")].map((e) => {
        const range = document.createRange();
        range.selectNodeContents(e);
        const drawn = (e instanceof SVGElement ? e : range).getBoundingClientRect();
        const ctx = document.createElement("canvas").getContext("2d");
        const style = getComputedStyle(e);
        ctx.font = style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
        const width = ctx.measureText(e.textContent).width;
        return [e.textContent, Math.round((drawn.width / width) * 10) / 10];
      })`)) as [string, number][];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${base}/billing/Acme-Corp`);
      await page.getByTestId("usage-chart").waitFor();
      const billing = await labelScales();
      await page.goto(`${base}/billing/Acme-Corp/usage`);
      await page.getByTestId("net-chart").waitFor();
      const usage = await labelScales();
      expect(billing.length).toBeGreaterThanOrEqual(4);
      expect(usage.length).toBeGreaterThanOrEqual(2);
      for (const [text, scale] of [...billing, ...usage])
        expect([width, text, scale]).toEqual([width, text, 1]);
    }
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it("adds and removes a billing contact", async () => {
    await page.getByRole("link", { name: "Notifications" }).click();
    await page.getByLabel("Add a contact").fill("not-an-email");
    await page.getByRole("button", { name: "Add" }).click();
    await page.getByText("Enter an email address").waitFor();
    await page.getByLabel("Add a contact").fill("Billing@Acme.test");
    await page.getByRole("button", { name: "Add" }).click();
    await page.getByRole("button", { name: "Remove billing@acme.test" }).waitFor();
    // The page shows the contact as soon as it is clicked; the note says the server saved it.
    await page.getByText("Added billing@acme.test.").waitFor();
    expect((await h.store.accounts.get(orgA.id))?.settings.billingContacts).toEqual([
      "billing@acme.test",
    ]);
    await check("notifications");
    await page.getByRole("button", { name: "Remove billing@acme.test" }).click();
    await page.getByText("No billing contacts yet.").waitFor();
    await page.getByText("Removed billing@acme.test.").waitFor();
    expect((await h.store.accounts.get(orgA.id))?.settings.billingContacts).toEqual([]);
  });

  it("creates an API key shown once, and revokes it", async () => {
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByLabel("Name").fill("browser-ci");
    await page.getByLabel("Scope").selectOption("write");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = await page.getByTestId("new-key-value").innerText();
    expect(key).toMatch(/^jsp_/);
    const row = page.locator('tr[data-key="browser-ci"]');
    await row.waitFor();
    await check("api-keys");
    await row.getByRole("button", { name: "Revoke browser-ci" }).click();
    await row.getByText(/^revoked/).waitFor();
    const res = await fetch(`${base}/api/v1/organizations/Acme-Corp/billing`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(401);
  });

  it("keeps the account in the address: a bookmark opens it, old links resolve to it", async () => {
    // A bookmark of a page of the account, in any case of its name.
    await page.goto(`${base}/billing/acme-corp/usage`);
    await page.getByRole("heading", { name: "Who spends the credits" }).waitFor();
    await page.waitForURL(`${base}/billing/Acme-Corp/usage`);
    expect(await page.title()).toBe("Usage · Acme-Corp · Jasper");
    // Yesterday's links, without an account: the account chosen last.
    await page.goto(`${base}/billing/history`);
    await page.waitForURL(`${base}/billing/Acme-Corp/history`);
    await page.getByRole("heading", { name: "Transaction history" }).waitFor();
    // An account this user does not administer: nothing of it, and the way back.
    await page.goto(`${base}/billing/Globex/history`);
    await page.getByRole("heading", { name: "Nothing to show for this account" }).waitFor();
    await expect(page.getByTestId("billing-figures").count()).resolves.toBe(0);
    await page.getByRole("link", { name: "Acme-Corp" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp`);
    await headerBalance().waitFor();
  });

  it("reads the audit log: who did what, filtered by action, older pages, and admins only", async () => {
    // More than a page: operators' grants, recorded last, so they come first.
    for (let i = 1; i <= 20; i++) {
      await h.jasper.audit.record({
        accountId: orgA.id,
        actor: { kind: "operator", name: "ops" },
        action: "grant",
        interface: "cli",
        details: { amount: 5, description: "bonus", reason: `promo ${i}` },
      });
    }
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp/audit-log`);
    const rows = page.locator('[data-testid="audit-log"] tbody tr');
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBe(25);
    expect(await rows.first().innerText()).toContain("Operator ops");
    expect(await rows.first().innerText()).toContain("+5 credits · bonus · reason: promo 20");
    await check("audit-log");

    // Older: what the dashboard and Stripe did (the purchase, and the billing currency its
    // payment fixed); the oldest is the seeded welcome bonus.
    await page.getByRole("button", { name: "Older entries" }).click();
    await eventually(async () => (await rows.count()) > 25);
    await expect(rows.count()).resolves.toBe(29);
    expect(await page.getByRole("button", { name: "Older entries" }).count()).toBe(0);
    const oldest = await rows.last().innerText();
    expect(oldest).toContain("Jasper");
    expect(oldest).toContain("welcome");

    // One sign-in for the session, however many pages it loaded.
    await page.getByLabel("Action").selectOption("sign_in");
    await eventually(async () => {
      const actions = await rows.evaluateAll((rs) => rs.map((r) => r.dataset.action));
      return actions.length > 0 && actions.every((a) => a === "sign_in");
    });
    await expect(rows.count()).resolves.toBe(1);
    expect((await rows.first().innerText()).split("\t").slice(1, 4)).toEqual([
      "alice",
      "Sign-in",
      "Dashboard",
    ]);

    // Anyone but an admin gets a 403 from the API (not reachable as alice): said, not crashed.
    const forbidden = /\/api\/v1\/organizations\/Acme-Corp\/audit-log/;
    await page.route(forbidden, (route) =>
      route.fulfill({
        status: 403,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "forbidden", message: "admins only" } }),
      }),
    );
    try {
      await page.reload();
      await page.getByText("Only admins of Acme-Corp can read the audit log.").waitFor();
      await expect(page.getByTestId("audit-log").count()).resolves.toBe(0);
    } finally {
      await page.unroute(forbidden);
    }
  });

  it("sets budgets through the form, keeps them over a reload, and shows this month's use", async () => {
    // This month's use to show: charges of pull requests with their authors, no caps yet.
    const seeds = [
      [11, "octocat"],
      [12, "octocat"],
      [13, "hubot"],
    ] as const;
    for (const [number, author] of seeds) {
      await h.ledger.charge(orgA.id, {
        action: "review",
        description: `review of acme/api-users#${number}`,
        idempotencyKey: `budget-seed-${number}`,
        reference: { kind: "pull_request", repository: "acme/api-users", number, author },
      });
    }
    await page.getByRole("link", { name: "Budgets" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp/budgets`);
    await page.getByLabel("Account cap (credits a month)").fill("100");
    await page.getByLabel("Repository or glob").fill("api-*");
    await page.getByLabel("Repository cap (credits)").fill("3");
    await page.getByRole("button", { name: "Add repository cap" }).click();
    await page.getByLabel("GitHub login").fill("octocat");
    await page.getByLabel("Author cap (credits)").fill("4");
    await page.getByRole("button", { name: "Add author cap" }).click();
    await page.getByLabel("Review runs per pull request a month").fill("5");
    await page.getByLabel("Warn the billing contacts at (% of a budget)").fill("50");
    await page.getByRole("button", { name: "Save budgets" }).click();
    await page.getByText("Budgets saved.").waitFor();
    expect((await h.store.accounts.get(orgA.id))?.budgets).toEqual({
      account: 100,
      repositories: [{ pattern: "api-*", credits: 3 }],
      authorDefault: null,
      authors: [{ login: "octocat", credits: 4 }],
      pullRequestRuns: 5,
      warnAtPercent: 50,
    });

    await page.reload();
    await page.getByRole("button", { name: "Remove api-*" }).waitFor();
    // The month by its name, not its key ("2026-11").
    const month = new Date().toLocaleDateString("en-US", {
      year: "numeric",
      month: "long",
      timeZone: "UTC",
    });
    await page.getByRole("heading", { name: `Use in ${month}` }).waitFor();
    await page.getByText("No review was stopped this month.").waitFor();
    await expect(page.getByLabel("Account cap (credits a month)").inputValue()).resolves.toBe(
      "100",
    );
    await page.getByRole("button", { name: "Remove octocat" }).waitFor();
    const bar = (label: string) => page.locator(`[data-budget="${label}"]`);
    // 3 of 3: used up; octocat's 2 of 4 is the 50 % warning; hubot has no cap.
    await expect(bar("acme/api-users (api-*)").getAttribute("data-level")).resolves.toBe("used_up");
    await expect(bar("acme/api-users (api-*)").innerText()).resolves.toContain("3 of 3 credits");
    await expect(bar("octocat").getAttribute("data-level")).resolves.toBe("warning");
    await expect(bar("hubot").innerText()).resolves.toContain("no cap");
    const account = (await h.ledger.monthUse(orgA.id)).account;
    await expect(bar("Account").innerText()).resolves.toContain(`${account} of 100 credits`);
    await check("budgets");
  });

  it("shows the API's message for a repository pattern it refuses, and saves nothing", async () => {
    const before = (await h.store.accounts.get(orgA.id))?.budgets;
    await page.getByLabel("Repository or glob").fill("api-[x");
    await page.getByLabel("Repository cap (credits)").fill("1");
    await page.getByRole("button", { name: "Add repository cap" }).click();
    await page.getByRole("button", { name: "Save budgets" }).click();
    await expect(
      page.getByTestId("budget-rules").getByRole("alert").innerText(),
    ).resolves.toContain("is not a valid glob");
    expect((await h.store.accounts.get(orgA.id))?.budgets).toEqual(before);
  });

  it("lists the reviews a budget or the balance stopped this month, never another org's", async () => {
    /** A run of <repository>#<number> claimed as accept-review does, then paused for `reason`. */
    const pause = async (
      accountId: AccountId,
      repository: string,
      number: number,
      reason: string,
    ) => {
      const pr = { repositoryId: 9000 + number, repository, number };
      const run = await claimPendingRun(h.store, accountId, pr, "f".repeat(40));
      await h.store.runs.transition(accountId, run.runKey, ["pending"], "paused", { reason });
    };
    await pause(orgA.id, "acme/api-users", 21, "insufficient_credits");
    await pause(orgA.id, "acme/api-users", 22, "over_budget_author");
    await pause(orgA.id, "acme/web", 23, "over_budget_pull_request_runs");
    // Globex's: the "nothing of an org" test below finds no "Globex" in any page seen.
    await pause(toAccountId(202), "Globex/secret", 24, "over_budget_account");

    await page.reload();
    const rows = page.getByTestId("stopped-reviews").locator("tbody tr");
    await rows.first().waitFor();
    const cells = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 2).map((td) => td.textContent)),
    );
    // Newest first, each with why in words; links on the configured GitHub host (the fake's).
    expect(cells).toEqual([
      ["acme/web#23", "the run cap per pull request"],
      ["acme/api-users#22", "the author's budget"],
      ["acme/api-users#21", "no credits left"],
    ]);
    await expect(
      rows.first().getByRole("link", { name: "acme/web#23" }).getAttribute("href"),
    ).resolves.toBe(`${github.url}/acme/web/pull/23`);
    await check("budgets-stopped");
  });

  it("sets how reviews are charged on the Settings page, and the audit log says it in words", async () => {
    await page.getByRole("link", { name: "Notifications" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp/notifications`);
    await page.getByRole("heading", { name: "Billing contacts" }).waitFor();
    await expect(page.getByText("Review charging").count()).resolves.toBe(0);

    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp/settings`);
    await page.getByRole("radio", { name: "One credit per review run" }).check();
    await page.getByText("Charging every review run.").waitFor();
    await page.getByRole("checkbox", { name: /without write access/ }).check();
    await page.getByText("Chat from people without write access is answered.").waitFor();
    const settings = (await h.store.accounts.get(orgA.id))?.settings;
    expect([settings?.reviewCharging, settings?.chatFromNonWriters]).toEqual(["review_run", true]);
    await check("settings");

    await page.getByRole("link", { name: "Audit log" }).click();
    const details = page.locator('[data-testid="audit-log"] tbody tr td:last-child');
    await details.first().waitFor();
    const texts = (await details.allInnerTexts()).join("\n");
    expect(texts).toContain(
      "Review charging: one credit per pull request → one credit per review run",
    );
    expect(texts).toContain("Account cap: none → 100 credits");
  });

  it("lists the learnings, searches them and deletes one (audited); never another org's", async () => {
    const teach = (accountId: AccountId, text: string, n: number, over = {}) =>
      h.store.learnings.add(
        {
          accountId,
          scope: "repository",
          repositoryId: 501,
          repository: "Acme-Corp/widgets",
          text,
          rule: null,
          paths: null,
          author: { id: 77, login: "octo-dev" },
          source: { number: 12, commentId: n },
          createdAt: new Date(Date.UTC(2026, 10, 1, 0, 0, n)),
          sourceKey: String(n),
          ...over,
        },
        500,
      );
    await teach(orgA.id, "Payments retry through retryPayment().", 1);
    await teach(orgA.id, "ignore debug leftover in scripts/**", 2, {
      scope: "organization",
      rule: "debug leftover",
      paths: "scripts/**",
    });
    await teach(toAccountId(202), "Globex learning never shown to Acme", 3);

    await page.getByRole("link", { name: "Learnings" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp/learnings`);
    const rows = page.locator('[data-testid="learnings"] tbody tr');
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBe(2);
    expect((await rows.first().innerText()).split("\t").slice(1, 5)).toEqual([
      "Every repository",
      "ignore debug leftover in scripts/**",
      "debug leftover in scripts/**",
      "octo-dev",
    ]);
    expect(await page.locator("body").innerText()).not.toContain("Globex learning");
    await check("learnings");

    await page.getByLabel("Search").fill("RETRYPAYMENT");
    await page.getByRole("button", { name: "Search" }).click();
    await eventually(async () => (await rows.count()) === 1);
    expect(await rows.first().innerText()).toContain("Payments retry through retryPayment().");

    // The confirmation is accepted (page.on("dialog")): deleted, the list reloads empty.
    await rows.first().getByRole("button", { name: "Delete" }).click();
    await page.getByText("No learning matches this search.").waitFor();
    const left = await h.store.learnings.list(orgA.id, { limit: 10 });
    expect(left.map((l) => l.text)).toEqual(["ignore debug leftover in scripts/**"]);
    const audit = await h.store.audit.list(orgA.id, { actions: ["learning_deleted"], limit: 5 });
    expect(audit).toEqual([
      expect.objectContaining({
        actor: { kind: "github_user", id: 7, login: "alice" },
        details: expect.objectContaining({ text: "Payments retry through retryPayment()." }),
      }),
    ]);
  });

  it("shows nothing of an org whose admin the user is not", async () => {
    const me = (await page.evaluate(`fetch("/api/v1/me").then((r) => r.json())`)) as {
      accounts: unknown;
    };
    expect(me.accounts).toEqual([{ login: "Acme-Corp", type: "Organization" }]);
    const other = await page.evaluate(
      `fetch("/api/v1/organizations/Globex/billing").then((r) => r.status)`,
    );
    expect(other).toBe(404);
    expect((await h.ledger.summary(toAccountId(202))).balance).toBe(ORG_B_BALANCE);
    for (const text of seen) {
      expect(text).not.toContain(String(ORG_B_BALANCE));
      expect(text).not.toContain(ORG_B_BALANCE.toLocaleString("en-US"));
      expect(text).not.toContain("Globex");
    }
  });

  it("signs out", async () => {
    consoleErrors.length = 0;
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("link", { name: "Sign in with GitHub" }).waitFor();
    expect(consoleErrors).toEqual([]);
    const status = await page.evaluate(`fetch("/api/v1/me").then((r) => r.status)`);
    expect(status).toBe(401);
    expect(cspViolations).toEqual([]);
  });

  it("says nothing was charged on the cancel page", async () => {
    // Signed in again first (the previous test signed out): the cancel page is a dashboard page.
    await page.goto(`${base}/billing?checkout=cancelled`);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp`);
    await page.goto(`${base}/billing?checkout=cancelled`);
    await page.getByText("Nothing was charged.").waitFor();
    // A link without an account (Stripe's return, an old bookmark) resolves to the account.
    // The address is corrected after the page renders: wait for it rather than read it once.
    await page.waitForURL(`${base}/billing/Acme-Corp?checkout=cancelled`);
    await check("checkout-cancelled");
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("link", { name: "Sign in with GitHub" }).waitFor();
  });

  it("shows a depleted org's banner with Buy, says reviews are paused, and fits a phone", async () => {
    github.state.nextUser = { id: 8, login: "carol", roles: { Initech: "admin" } };
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(`${base}/billing/Initech`);
    const banner = page.locator(".banner-depleted");
    await banner.waitFor();
    expect(await banner.innerText()).toContain("automatic reviews are paused");
    await banner.getByRole("link", { name: "Buy credits" }).waitFor();
    expect(await headerBalance().getAttribute("class")).toContain("level-depleted");
    expect(await headerBalance().innerText()).toContain("0 credits");
    // Nothing left: nothing to forecast (not "credits last until today").
    expect(await page.getByTestId("runway").innerText()).toBe(
      "No credits left: nothing to forecast until you buy credits.",
    );
    // Said once, in the page's main area.
    await expect(page.getByText(/automatic reviews are paused/i).count()).resolves.toBe(1);
    await expect(
      page
        .locator("main")
        .getByText(/automatic reviews are paused/i)
        .count(),
    ).resolves.toBe(1);
    const overflow = await page.evaluate(
      "document.documentElement.scrollWidth - window.innerWidth",
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await check("billing-depleted-phone");
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it("greets a new account with its free reviews, not a low-balance alarm", async () => {
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    github.state.nextUser = { id: 9, login: "erin", roles: { Hooli: "admin" } };
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(`${base}/billing/Hooli`);
    await page.getByText("3 free reviews left this month").waitFor();
    await expect(page.locator(".banner-critical").count()).resolves.toBe(0);
    expect(await headerBalance().getAttribute("class")).not.toContain("level-critical");
    expect(await headerBalance().innerText()).toBe("Balance: 3 credits");
    await check("billing-new-account");
  });

  it("tells a user with no account who is signed in and how to install Jasper, and signs out", async () => {
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    github.state.nextUser = { id: 10, login: "dave", roles: { Globex: "member" } };
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.getByRole("heading", { name: "No accounts to show" }).waitFor();
    await page.getByText("Signed in as dave").waitFor();
    await expect(
      page.getByRole("link", { name: "Install Jasper on GitHub" }).getAttribute("href"),
    ).resolves.toBe(`${github.url}/apps/jasper/installations/new`);
    await check("no-accounts");
    consoleErrors.length = 0;
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("link", { name: "Sign in with GitHub" }).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it("says which settings are missing when sign-in is not set up", async () => {
    const bare = await createHarness({
      env: { PUBLIC_URL: "http://127.0.0.1", WEB_DIST: webDir },
    });
    try {
      // Port 0: the system picks a free port, with no window for another test to take it.
      await bare.server.listen({ port: 0, host: "127.0.0.1" });
      const { port } = bare.server.server.address() as { port: number };
      await page.goto(`http://127.0.0.1:${port}/billing`, { timeout: 10_000 });
      await page
        .getByRole("heading", { name: "Sign-in is not set up" })
        .waitFor({ timeout: 10_000 });
      const text = await page.locator("main").innerText();
      for (const name of ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "SESSION_SECRET"]) {
        expect(text).toContain(name);
      }
      await check("not-configured");
    } finally {
      // Leave the page, and drop the browser's kept-alive sockets: an open connection would
      // keep the server's close waiting.
      await page.goto("about:blank");
      bare.server.server.closeAllConnections();
      await bare.close();
    }
  });
});
