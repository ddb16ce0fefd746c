/**
 * Where the browser tests find Chromium: CHROMIUM_PATH, else Debian's /usr/bin/chromium (what
 * .ci/run installs). Without one the suite is skipped with one line saying so, except in CI
 * (CI=true), where a missing browser fails the run.
 */
import { existsSync } from "node:fs";
import { describe } from "@jest/globals";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function findChromium(): string | null {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return existsSync(configured) ? configured : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/**
 * The browser suite's describe: describe with Chromium's path, or, without one, describe.skip
 * with one line saying so (in CI a missing browser throws instead).
 */
export function chromiumSuite(): {
  suite: typeof describe | typeof describe.skip;
  chromiumPath: string;
} {
  const chromiumPath = findChromium();
  if (chromiumPath) return { suite: describe, chromiumPath };
  if (process.env.CI === "true") {
    throw new Error(
      "browser tests: no Chromium found (set CHROMIUM_PATH, or install Debian's chromium); CI needs it",
    );
  }
  console.log(
    "browser tests SKIPPED: no Chromium found (apt-get install chromium, or CHROMIUM_PATH)",
  );
  return { suite: describe.skip, chromiumPath: "" };
}
