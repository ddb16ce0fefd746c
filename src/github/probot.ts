import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { Config } from "../config/env.js";

/** The GitHub App credentials a process needs to receive webhooks and call GitHub. */
export function missingAppCredentials(config: Config): string[] {
  const missing: string[] = [];
  if (!config.APP_ID) missing.push("APP_ID");
  if (!config.PRIVATE_KEY && !config.PRIVATE_KEY_PATH)
    missing.push("PRIVATE_KEY or PRIVATE_KEY_PATH");
  if (!config.WEBHOOK_SECRET) missing.push("WEBHOOK_SECRET");
  return missing;
}

export function createProbotFromConfig(config: Config, log: Logger): Probot {
  const missing = missingAppCredentials(config);
  if (missing.length > 0) throw new Error(`missing GitHub App settings: ${missing.join(", ")}`);
  const baseUrl = config.GHE_HOST
    ? `${config.GHE_PROTOCOL}://${config.GHE_HOST}/api/v3`
    : undefined;
  return new Probot({
    appId: config.APP_ID!,
    privateKey: privateKey(config),
    secret: config.WEBHOOK_SECRET!,
    log,
    baseUrl,
    Octokit: ProbotOctokit,
  });
}

/** PEM text from PRIVATE_KEY (escaped newlines allowed, as .env files need) or from a file. */
function privateKey(config: Config): string {
  if (config.PRIVATE_KEY) return config.PRIVATE_KEY.replace(/\\n/g, "\n");
  return readFileSync(config.PRIVATE_KEY_PATH!, "utf8");
}
