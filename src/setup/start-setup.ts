/** The process in setup mode: only the setup page, until the App is registered and Jasper restarts. */
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config/env.js";
import { buildManifest, readAppYml } from "./manifest.js";
import { createSetupServer } from "./setup-server.js";
import { unreachableFromGitHub } from "./webhook-reach.js";

export async function startSetup(config: Config, log: Logger): Promise<void> {
  const server = await createSetupServer({
    manifest: buildManifest(
      readAppYml(resolve("app.yml")),
      config.PUBLIC_URL,
      config.WEBHOOK_PROXY_URL,
    ),
    github: config.github,
    publicUrl: config.PUBLIC_URL,
    port: config.PORT,
    webhookProxyUrl: config.WEBHOOK_PROXY_URL,
    envPath: resolve(".env"),
    org: config.GH_ORG,
    log,
  });
  await server.listen({ port: config.PORT, host: config.HOST });
  log.warn(
    `No GitHub App yet (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET unset): open ${config.PUBLIC_URL}/setup to register one`,
  );
  const unreachable = config.WEBHOOK_PROXY_URL
    ? undefined
    : unreachableFromGitHub(config.PUBLIC_URL, !config.GHE_HOST);
  if (unreachable) {
    log.warn(
      `PUBLIC_URL: GitHub cannot deliver webhooks to ${config.PUBLIC_URL} (${unreachable}) and will refuse to register the App: set PUBLIC_URL to the address GitHub reaches Jasper at, or WEBHOOK_PROXY_URL to a webhook proxy channel (https://smee.io/new) for local development; ${config.PUBLIC_URL}/setup says how`,
    );
  }
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
