/**
 * The dashboard's Invoices page in a real headless Chromium (playwright-core), driving the
 * running app (compose.ts on the in-memory store and real Redis) with GitHub faked on
 * 127.0.0.1, as test/browser/dashboard.test.ts does: reached from Billing, the invoices
 * Stripe's events left (seeded in the store here; invoice-events.test.ts covers the events),
 * newest first with totals, tax, credits and Stripe's links, paged, an empty state, and
 * another organization's invoices nowhere.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, describe } from "@jest/globals";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { toAccountId, type AccountId } from "../../src/accounts/types.js";
import { createGitHubAuth } from "../../src/api/auth/github-auth.js";
import type { InvoiceRecord } from "../../src/billing/invoice-store.js";
import { expectAccessible } from "../support/browser/axe-check.js";
import { CHROMIUM_ARGS, findChromium } from "../support/browser/chromium.js";
import { browserAppEnv, buildDashboard } from "../support/browser/dashboard-app.js";
import { startFakeGitHub } from "../support/browser/fake-github.js";
import { freePort } from "../support/browser/http-fake.js";
import { createHarness, type Harness } from "../support/harness.js";

const chromiumPath = findChromium();

if (!chromiumPath) {
  if (process.env.CI === "true") {
    throw new Error(
      "browser tests: no Chromium found (set CHROMIUM_PATH, or install Debian's chromium); CI needs it",
    );
  }
  console.log("browser tests SKIPPED: no Chromium found; set CHROMIUM_PATH=/path/to/chromium");
}
const suite = chromiumPath ? describe : describe.skip;

/** An invoice as invoice-events.ts keeps it; day `d` of November 2026. */
const invoice = (accountId: AccountId, n: number, over: Partial<InvoiceRecord> = {}) =>
  ({
    accountId,
    invoiceId: `in_${accountId}x${n}`,
    customerId: `cus_${accountId}`,
    number: `JSP-${String(n).padStart(4, "0")}`,
    status: "paid",
    createdAt: new Date(Date.UTC(2026, 10, 1, 9, n)),
    issuedAt: new Date(Date.UTC(2026, 10, 1, 9, n, 5)),
    paidAt: new Date(Date.UTC(2026, 10, 1, 9, n, 5)),
    subtotal: 3000,
    tax: 0,
    total: 3000,
    currency: "usd",
    lines: [],
    hostedInvoiceUrl: `https://invoice.stripe.com/i/acct_1/${accountId}x${n}`,
    invoicePdf: `https://pay.stripe.com/invoice/acct_1/${accountId}x${n}/pdf`,
    grantKey: null,
    version: 1,
    ...over,
  }) satisfies InvoiceRecord;

suite("the Invoices page in Chromium", () => {
  let h: Harness;
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let webDir: string;
  let profile: string;
  const acme = toAccountId(101);
  const globex = toAccountId(202);

  beforeAll(async () => {
    webDir = buildDashboard();
    github = await startFakeGitHub(
      [
        { id: 101, login: "Acme-Corp" },
        { id: 202, login: "Globex" },
        { id: 404, login: "Hooli" },
      ],
      [{ id: 7, login: "alice", roles: { "Acme-Corp": "admin", Hooli: "admin" } }],
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = await createHarness({
      env: browserAppEnv(base, github, webDir),
      github: createGitHubAuth({ baseUrl: `${github.url}/api/v3` }),
    });
    await h.server.listen({ port, host: "127.0.0.1" });
    for (const [id, login] of [
      [acme, "Acme-Corp"],
      [globex, "Globex"],
      [toAccountId(404), "Hooli"],
    ] as const) {
      await h.store.accounts.upsert({ id, login, type: "Organization" });
      await h.ledger.ensureFreeTier(id);
    }
    // 25 of Acme's: a page of 20 and a second one. The newest has tax and paid for Growth.
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 500,
      description: "Growth package: 500 credits",
      idempotencyKey: "stripe-checkout:cs_test_growth",
    });
    for (let n = 1; n <= 24; n++) await h.store.invoices.put(invoice(acme, n));
    await h.store.invoices.put(
      invoice(acme, 25, {
        subtotal: 12250,
        tax: 2450,
        total: 14700,
        grantKey: "stripe-checkout:cs_test_growth",
      }),
    );
    await h.store.invoices.put(
      invoice(globex, 26, { number: "GLOBEX-SECRET-1", status: "open", paidAt: null }),
    );

    profile = mkdtempSync(join(tmpdir(), "jasper-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath!,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await h?.close();
    await new Promise((r) => github?.server.close(r));
    for (const dir of [webDir, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => page.locator('[data-testid="invoices"] tbody tr');

  it("reaches Invoices from Billing: newest first, total with tax, credits, Stripe's links", async () => {
    await page.goto(`${base}/billing`);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(`${base}/billing/Acme-Corp`);
    await page.getByTestId("invoices-link").click();
    await page.waitForURL(`${base}/billing/Acme-Corp/invoices`);
    await page.locator('[data-testid="invoices"]').waitFor();
    await expect(rows().count()).resolves.toBe(20);
    const first = rows().first();
    expect(await first.locator("td").first().innerText()).toBe("JSP-0025");
    expect(await first.locator('[data-field="total"]').innerText()).toBe(
      "$147.00\nincl. $24.50 tax",
    );
    expect(await first.locator('[data-field="credits"]').innerText()).toBe("500 credits");
    await expect(first.getByTestId("hosted").getAttribute("href")).resolves.toBe(
      `https://invoice.stripe.com/i/acct_1/${acme}x25`,
    );
    await expect(first.getByTestId("pdf").getAttribute("href")).resolves.toBe(
      `https://pay.stripe.com/invoice/acct_1/${acme}x25/pdf`,
    );
    expect(await rows().nth(1).locator('[data-field="credits"]').innerText()).toBe("—");
    await expectAccessible(page, "invoices");

    await page.getByRole("button", { name: "Load more" }).click();
    await page.locator('[data-testid="invoices"] tbody tr >> nth=24').waitFor();
    expect(await rows().last().locator("td").first().innerText()).toBe("JSP-0001");
    await expect(page.getByRole("button", { name: "Load more" }).count()).resolves.toBe(0);
    expect(await page.locator("body").innerText()).not.toContain("GLOBEX-SECRET-1");
  });

  it("says so when an account has no invoices", async () => {
    await page.goto(`${base}/billing/Hooli/invoices`);
    await page.getByText("No invoices yet.").waitFor();
    expect(await page.locator('[data-testid="invoices"]').count()).toBe(0);
    expect(await page.content()).not.toContain("GLOBEX-SECRET-1");
    await expectAccessible(page, "invoices-empty");
  });
});
