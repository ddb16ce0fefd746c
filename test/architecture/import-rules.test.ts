import { describe, expect, it } from "@jest/globals";
import { ESLint } from "eslint";

/**
 * The folder rules of eslint.config.js, exercised: a planted import must fail lint. Lints text
 * as if it were a file at `filePath`, so nothing is written to the tree.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const STORE_IMPORT = 'import type { Store } from "../store/store.js";\nexport type S = Store;\n';
const MONGOOSE_IMPORT = 'import mongoose from "mongoose";\nexport const m = mongoose;\n';

describe("architecture rules in eslint.config.js", () => {
  it.each(["ledger", "accounts", "reviews", "billing", "notifications"])(
    "src/%s may not import src/store",
    async (domain) => {
      const errors = await importErrors(`src/${domain}/planted.ts`, STORE_IMPORT);
      expect(errors).toEqual([expect.stringContaining("only src/store implements them")]);
    },
  );

  it("a deeper relative path to src/store is caught too", async () => {
    const code =
      'import { createMemoryStore } from "../../store/memory/memory-store.js";\nexport const c = createMemoryStore;\n';
    expect(await importErrors("src/ledger/sub/planted.ts", code)).toHaveLength(1);
  });

  it("a domain importing another domain's port is fine", async () => {
    const code =
      'import type { LedgerStore } from "../ledger/ledger-store.js";\nexport type L = LedgerStore;\n';
    expect(await importErrors("src/reviews/planted.ts", code)).toEqual([]);
  });

  it("the wiring (compose) may import src/store", async () => {
    expect(await importErrors("src/compose-planted.ts", STORE_IMPORT.replace("../", "./"))).toEqual(
      [],
    );
  });

  it.each(["src/ledger/planted.ts", "src/api/planted.ts", "src/store/memory/planted.ts"])(
    "%s may not import mongoose",
    async (file) => {
      expect(await importErrors(file, MONGOOSE_IMPORT)).toEqual([
        "'mongoose' import is restricted from being used. Only src/store/mongo may import mongoose.",
      ]);
    },
  );

  it("src/store/mongo may import mongoose", async () => {
    expect(await importErrors("src/store/mongo/planted.ts", MONGOOSE_IMPORT)).toEqual([]);
  });
});
