/**
 * The process entry point: `npm start` (after `npm run build`), or the Docker image.
 */
import { createAccountLifecycle } from "./accounts/account-lifecycle.js";
import { describeConfig, loadConfigOrExit } from "./config/env.js";
import { jasperApp } from "./github/app.js";
import { createProbotFromConfig, missingAppCredentials } from "./github/probot.js";
import { Ledger } from "./ledger/ledger.js";
import { createServer } from "./server/create-server.js";
import { openStore } from "./store/open-store.js";
import { pino } from "pino";

/** How long shutdown may take before the process quits anyway. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

const config = loadConfigOrExit();
const missing = missingAppCredentials(config);
if (missing.length > 0) {
  console.error(
    `Jasper needs its GitHub App settings: ${missing.join(", ")} are not set.\n` +
      "Register a GitHub App from app.yml (README, section Configuration) and put its id, " +
      "private key and webhook secret in .env.",
  );
  process.exit(1);
}

// One logger for Fastify, Probot and us.
const log = pino({ level: config.LOG_LEVEL });
const probot = createProbotFromConfig(config, log);
const store = await openStore(config.MONGODB_URI, (m) => log.warn(m));
const ledger = new Ledger({ store: store.ledger, freePerMonth: config.FREE_REVIEWS_PER_MONTH });
const lifecycle = createAccountLifecycle({ accounts: store.accounts, ledger });
const server = await createServer({
  probot,
  app: jasperApp({ lifecycle }),
  store,
  log,
});

await server.listen({ port: config.PORT, host: "0.0.0.0" });
server.log.info({ config: describeConfig(config) }, "Jasper is listening");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.log.info(`${signal}: shutting down`);
  // If something hangs, quit anyway: the orchestrator would kill us shortly after.
  setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
  // 1. Stop taking requests; those in flight finish. GitHub redelivers what we miss.
  await server.close();
  // 2. Then the database, which in-flight requests were still using.
  await store.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
