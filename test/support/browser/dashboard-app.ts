/**
 * What every browser test starts the same way: the dashboard built by Vite into a fresh
 * folder (the app serves it as WEB_DIST), and the app's settings for signing in through the
 * fake GitHub (fake-github.ts) at `base`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
