/** The process in setup mode: only the setup page, until the App is registered and Jasper restarts. */
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config/env.js";
import { buildManifest, readAppYml } from "./manifest.js";
import { createSetupServer } from "./setup-server.js";

export async function startSetup(config: Config, log: Logger): Promise<void> {
  const server = await createSetupServer({
    manifest: buildManifest(readAppYml(resolve("app.yml")), config.PUBLIC_URL),
    github: config.github,
    envPath: resolve(".env"),
    org: config.GH_ORG,
    log,
  });
  await server.listen({ port: config.PORT, host: config.HOST });
  log.warn(
    `No GitHub App yet (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET unset): open ${config.PUBLIC_URL}/setup to register one`,
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
