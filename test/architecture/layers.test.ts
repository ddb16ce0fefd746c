import { describe, expect, it } from "@jest/globals";
import { ESLint } from "eslint";
import { readdirSync } from "node:fs";

/**
 * The layers of eslint.config.js (SRC_LAYERS, the dashboard's features), exercised: a planted
 * import that points up a layer, sideways within one, across dashboard features or round a
 * cycle must fail lint. Lints text as if it were a file at `filePath`; nothing is written.
 */
const eslint = new ESLint({ cwd: process.cwd() });
// The config is plain JavaScript without types: read its layers as data.
const CONFIG = "../../eslint.config.js";
const { SRC_LAYERS } = (await import(CONFIG)) as {
  SRC_LAYERS: { name: string; folders: string[] }[];
};

async function ruleErrors(filePath: string, code: string, rule: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}
const layerErrors = (filePath: string, code: string) =>
  ruleErrors(filePath, code, "import-x/no-restricted-paths");

describe("the layers in eslint.config.js", () => {
  it("place every folder of src/ exactly once", () => {
    const folders = readdirSync("src", { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const placed = SRC_LAYERS.flatMap((l) => l.folders);
    expect([...placed].sort()).toEqual(folders);
    expect(new Set(placed).size).toBe(placed.length);
  });

  it("refuse a domain importing the queue adapter, even for a type", async () => {
    const code =
      'import type { QueueName } from "../queue/queues.js";\nexport type Q = QueueName;\n';
    expect(await layerErrors("src/reviews/planted.ts", code)).toEqual([
      expect.stringContaining('src/reviews (layer "reviews") imports only lower layers'),
    ]);
  });

  it.each([
    [
      "src/ledger/planted.ts",
      "../budgets/limits.js",
      "ledger below budgets (the old folder cycle)",
    ],
    ["src/engine/planted.ts", "../voice/voice.js", "engine below the bot's words (the old cycle)"],
    ["src/audit/planted.ts", "../billing/packages.js", "two folders of one layer"],
    ["src/accounts/planted.ts", "../administration/account-lifecycle.js", "types below use cases"],
    ["src/reviews/planted.ts", "../github/app.js", "a domain importing the GitHub adapter"],
    ["src/notifications/planted.ts", "../store/store.js", "a domain importing the store"],
    ["src/api/planted.ts", "../server/create-server.js", "an adapter importing an entry point"],
    ["src/worker/planted.ts", "../compose.js", "anything but the processes starting the wiring"],
  ])("refuse %s importing %s: %s", async (file, target) => {
    const code = `import type * as planted from "${target}";\nexport type P = typeof planted;\n`;
    expect(await layerErrors(file, code)).toHaveLength(1);
  });

  it("allow importing downward", async () => {
    const code =
      'import type { LedgerStore } from "../ledger/ledger-store.js";\nexport type L = LedgerStore;\n';
    expect(await layerErrors("src/reviews/planted.ts", code)).toEqual([]);
    const cli = 'import { composeJasper } from "../compose.js";\nexport const c = composeJasper;\n';
    expect(await layerErrors("src/cli/planted.ts", cli)).toEqual([]);
  });

  it("refuse a dashboard feature importing another, and shared importing a feature", async () => {
    const code =
      'import { UsagePage } from "../usage/usage-page.js";\nexport const u = UsagePage;\n';
    expect(await layerErrors("web/src/features/billing/planted.tsx", code)).toEqual([
      expect.stringContaining("A dashboard feature does not import another"),
    ]);
    const own = 'import { UsageChart } from "./usage-chart.js";\nexport const u = UsageChart;\n';
    expect(await layerErrors("web/src/features/billing/planted.tsx", own)).toEqual([]);
    const up =
      'import { UsagePage } from "../features/usage/usage-page.js";\nexport const u = UsagePage;\n';
    expect(await layerErrors("web/src/shared/planted.tsx", up)).toHaveLength(1);
  });

  it("refuse an import cycle between files", async () => {
    // ledger.ts imports write-entry.ts; write-entry.ts importing ledger.ts closes a loop.
    const code = 'import { Ledger } from "./ledger.js";\nexport const c = Ledger;\n';
    expect(await ruleErrors("src/ledger/write-entry.ts", code, "import-x/no-cycle")).toHaveLength(
      1,
    );
  });
});
