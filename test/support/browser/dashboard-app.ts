/**
 * What every browser test starts the same way: the dashboard built by Vite into a fresh
 * folder (the app serves it as WEB_DIST), the app's settings for signing in through the fake
 * GitHub (fake-github.ts), and, for a test of one page, all of it running with a headless
 * Chromium on a fresh profile (startDashboardApp; `close` ends all of it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { createGitHubAuth } from "../../../src/api/auth/github-auth.js";
import { createHarness, type Harness } from "../harness.js";
import { CHROMIUM_ARGS } from "./chromium.js";
import { startFakeGitHub, type FakeOrg, type FakeUser } from "./fake-github.js";
import { freePort } from "./http-fake.js";

const ROOT = new URL("../../../", import.meta.url).pathname;

/** Builds the dashboard into a new temporary folder and returns it (the caller removes it). */
export function buildDashboard(): string {
  const webDir = mkdtempSync(join(tmpdir(), "jasper-web-"));
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules/vite/bin/vite.js"),
      "build",
      "--config",
      "web/vite.config.ts",
      "--logLevel",
      "error",
    ],
    { cwd: ROOT, env: { ...process.env, WEB_OUT_DIR: webDir }, stdio: "pipe" },
  );
  return webDir;
}

/** The app's environment: served at `base`, signing in with the fake GitHub, the built dashboard. */
export function browserAppEnv(
  base: string,
  github: { host: string },
  webDir: string,
): Record<string, string> {
  return {
    PUBLIC_URL: base,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    GITHUB_CLIENT_ID: "Iv1.fake",
    GITHUB_CLIENT_SECRET: "fake-client-secret",
    SESSION_SECRET: "browser-test-session-secret-0123456789",
    WEB_DIST: webDir,
  };
}

export interface DashboardApp {
  h: Harness;
  /** http://127.0.0.1:<port>, where the app listens. */
  base: string;
  page: Page;
  context: BrowserContext;
  /** What the page logged as errors or CSP refusals. */
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function startDashboardApp(
  chromiumPath: string,
  orgs: FakeOrg[],
  users: FakeUser[],
): Promise<DashboardApp> {
  const webDir = buildDashboard();
  const github = await startFakeGitHub(orgs, users);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const h = await createHarness({
    env: browserAppEnv(base, github, webDir),
    github: createGitHubAuth({ baseUrl: `${github.url}/api/v3` }),
  });
  await h.server.listen({ port, host: "127.0.0.1" });
  const profile = mkdtempSync(join(tmpdir(), "jasper-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy|Refused to/i.test(m.text()))
      consoleErrors.push(m.text());
  });
  return {
    h,
    base,
    page,
    context,
    consoleErrors,
    async close() {
      await context.close();
      await h.close();
      await new Promise((r) => github.server.close(r));
      for (const dir of [webDir, profile]) rmSync(dir, { recursive: true, force: true });
    },
  };
}
