/**
 * The process entry point: `npm start` (after `npm run build`), or the Docker image. Only the
 * process lives here: configuration, the adapters, start, signals and shutdown; compose.ts
 * wires everything else. JASPER_ROLE picks what this process does: "web" (webhooks, API),
 * "worker" (the queues) or "all" (both; the default). Every role may put jobs on the queues.
 */
import { pino } from "pino";
import { composeJasper } from "./compose.js";
import {
  describeConfig,
  loadConfigOrExit,
  missingAppCredentials,
  orExit,
  requireAppCredentials,
} from "./config/env.js";
import { chooseEngine } from "./engine/choose-engine.js";
import { createProbot } from "./github/probot.js";
import { createMailer } from "./notifications/mailer.js";
import { createRedis } from "./queue/redis.js";
import { watchRedis } from "./queue/redis-health.js";
import { MissingIndexesError, MongoUnreachableError, openStore } from "./store/open-store.js";

/** How long shutdown may take before the process quits anyway. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

// A .env in the working directory (where first-run setup writes the App's credentials), under
// whatever the environment sets already, as the operator commands read it too.
const config = loadConfigOrExit();
// One logger for Fastify, Probot and us.
const log = pino({ level: config.LOG_LEVEL });

// First run: no App credentials at all. Serve the setup page that registers the App (src/setup)
// instead of exiting; some but not all of them is a mistake, and stops the process as before.
// A worker has no page to serve: it waits for a restart with the settings.
if (missingAppCredentials(config).length === 3 && config.JASPER_ROLE === "worker") {
  const { waitForSetup } = await import("./setup/wait-for-setup.js");
  waitForSetup(config, log);
} else if (missingAppCredentials(config).length === 3) {
  const { startSetup } = await import("./setup/start-setup.js");
  await startSetup(config, log);
} else {
  await startApp();
}

async function startApp(): Promise<void> {
  const credentials = orExit(() => requireAppCredentials(config));

  const role = config.JASPER_ROLE;
  const store = await openStore(
    config.MONGODB_URI,
    (m) => log.warn(m),
    "app",
    // Said once each way, as Redis's state is (watchRedis below).
    ({ state, message }) => (state === "unreachable" ? log.error(message) : log.info(message)),
  ).catch((err: unknown) => {
    // A database the migration has not prepared (which indexes, and how to build them) or one
    // that does not answer (which setting, and where it was tried): said as a configuration
    // error is said, rather than as a stack trace.
    if (!(err instanceof MissingIndexesError || err instanceof MongoUnreachableError)) throw err;
    console.error(err.message);
    process.exit(1);
  });
  // Redis down at start does not stop the process: it starts, says once that Redis is
  // unreachable (and once when it is back), /readyz answers 503 meanwhile, webhooks fail fast
  // (GitHub shows the failed deliveries) and workers wait; every connection reconnects.
  const redisHealth = watchRedis(log);
  const producerRedis = createRedis(config.REDIS_URL, "producer", redisHealth);
  const engine = chooseEngine(config);
  const mailer = createMailer(config.SMTP_URL, config.MAIL_FROM);
  const jasper = composeJasper(config, {
    store,
    probot: createProbot(credentials, config.github.api, log),
    redis: producerRedis,
    engine,
    mailer,
    log,
  });

  const server = role === "worker" ? null : await jasper.createServer();
  await server?.listen({ port: config.PORT, host: config.HOST });

  const workerRedis = role === "web" ? null : createRedis(config.REDIS_URL, "worker", redisHealth);
  const workers = workerRedis ? jasper.startWorkers(workerRedis) : null;
  log.info({ role, engine: engine.name, config: describeConfig(config) }, "Jasper started");
  if (server && config.WEBHOOK_PROXY_URL) {
    // Probot's own server would run the proxy client itself; Jasper's does not (docs/operations.md).
    log.info(
      `WEBHOOK_PROXY_URL: GitHub sends events to the proxy; forward them here with \`npx smee-client --url ${config.WEBHOOK_PROXY_URL} --target http://localhost:${config.PORT}/api/github/webhooks\``,
    );
  }

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    // If something hangs, quit anyway: the orchestrator would kill us shortly after.
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    // 1. Stop taking requests; those in flight finish. GitHub redelivers what we miss.
    await server?.close();
    // 2. Let running jobs finish; unfinished ones are retried or swept by another worker.
    await workers?.close();
    // 3. Then the connections those were using.
    mailer.close();
    await jasper.close();
    await Promise.all([producerRedis.quit(), workerRedis?.quit()]);
    await store.close();
    process.exit(0);
  }
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
