import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { AppCredentials } from "../config/env.js";

/**
 * The Probot instance that verifies webhooks and authenticates as the App. `apiUrl` is the
 * config's GitHub API (GitHub Enterprise Server when GHE_HOST is set).
 */
export function createProbot(credentials: AppCredentials, apiUrl: string, log: Logger): Probot {
  return new Probot({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    secret: credentials.webhookSecret,
    log,
    baseUrl: apiUrl,
    Octokit: ProbotOctokit,
  });
}
