import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "@jest/globals";
import type { Page } from "playwright-core";

const ROOT = new URL("../../../", import.meta.url).pathname;
/** Screenshots of every checked page, for a person to look at (not committed). */
export const ARTIFACTS = join(ROOT, "artifacts/browser/");

/**
 * axe-core run in the page (evaluated, so the page's CSP does not apply to it): no serious or
 * critical violation on the page named `name`; then a screenshot of it under ARTIFACTS.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.evaluate(readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8"));
  // A string, not a function: the test program has no DOM types.
  const violations = (await page.evaluate(
    `axe.run().then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))`,
  )) as { id: string; impact: string; nodes: number }[];
  expect([
    name,
    violations.filter((v) => v.impact === "serious" || v.impact === "critical"),
  ]).toEqual([name, []]);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
