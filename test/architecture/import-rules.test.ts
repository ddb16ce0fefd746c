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
const BULLMQ_IMPORT =
  'import { UnrecoverableError } from "bullmq";\nexport const u = UnrecoverableError;\n';
const PROBOT_IMPORT =
  'import type { ProbotOctokit } from "probot";\nexport type O = ProbotOctokit;\n';
const OCTOKIT_IMPORT = 'import { request } from "@octokit/request";\nexport const r = request;\n';
const USE_CASES = ["reviews", "ledger", "accounts", "billing", "notifications", "replies"];

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

  it.each(USE_CASES)("src/%s may not import bullmq", async (folder) => {
    const errors = await importErrors(`src/${folder}/planted.ts`, BULLMQ_IMPORT);
    expect(errors).toEqual([expect.stringContaining("do not import the queue library")]);
  });

  const GITHUB_CLIENTS = { probot: PROBOT_IMPORT, "@octokit/request": OCTOKIT_IMPORT };
  it.each(USE_CASES.flatMap((folder) => Object.keys(GITHUB_CLIENTS).map((lib) => [folder, lib])))(
    "src/%s may not import %s",
    async (folder, lib) => {
      const code = GITHUB_CLIENTS[lib as keyof typeof GITHUB_CLIENTS];
      const errors = await importErrors(`src/${folder}/sub/planted.ts`, code);
      expect(errors).toEqual([expect.stringContaining("do not import GitHub's client")]);
    },
  );

  it("billing may still import stripe", async () => {
    const code = 'import Stripe from "stripe";\nexport const s = Stripe;\n';
    expect(await importErrors("src/billing/planted.ts", code)).toEqual([]);
  });

  it("the adapters may import bullmq and probot", async () => {
    expect(await importErrors("src/worker/planted.ts", BULLMQ_IMPORT)).toEqual([]);
    expect(await importErrors("src/github/planted.ts", PROBOT_IMPORT)).toEqual([]);
  });

  it("src/notifications may not import bullmq (the producer queues its alerts)", async () => {
    const file = "src/notifications/enqueue-alerts.ts";
    expect(await importErrors(file, BULLMQ_IMPORT)).toHaveLength(1);
    expect(await importErrors(file, PROBOT_IMPORT)).toHaveLength(1);
    expect(await importErrors(file, STORE_IMPORT)).toHaveLength(1);
  });

  it("src/store/mongo may import mongoose", async () => {
    expect(await importErrors("src/store/mongo/planted.ts", MONGOOSE_IMPORT)).toEqual([]);
  });
});
