/**
 * A worker started before the GitHub App is registered: it has nothing to run and no page to
 * serve. It waits, saying why once, instead of exiting: under a restart policy (docker
 * compose's `unless-stopped`) an exit is a restart loop that fills the log. Restarted with the
 * App's settings (after the web process's setup page), it starts working.
 */
import type { Logger } from "pino";
import type { Config } from "../config/env.js";

export function waitForSetup(config: Config, log: Logger): void {
  log.warn(
    `No GitHub App yet (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET unset): this worker waits. Register the App at ${config.PUBLIC_URL}/setup (served by the web process), put its settings in .env, then restart Jasper`,
  );
  // Nothing else keeps the event loop alive.
  const idle = setInterval(() => undefined, 2 ** 31 - 1);
  const stop = () => {
    clearInterval(idle);
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
