/**
 * The process entry point: `npm start` (after `npm run build`), or the Docker image.
 * JASPER_ROLE picks what this process does: "web" (webhooks, API), "worker" (the queues) or
 * "all" (both; the default). Every role may put jobs on the queues.
 */
import { pino } from "pino";
import { composeJasper } from "./compose.js";
import { describeConfig, loadConfigOrExit } from "./config/env.js";
import { createProbotFromConfig, missingAppCredentials } from "./github/probot.js";
import { billingApi } from "./api/billing-api.js";
import { createGitHubAuth } from "./api/auth/github-auth.js";
import { createCheckout } from "./billing/create-checkout.js";
import { parsePackages } from "./billing/packages.js";
import { createStripe } from "./billing/stripe-client.js";
import { createStripeEvents } from "./billing/stripe-events.js";
import { stripeWebhookRoute } from "./billing/stripe-webhook-route.js";
import { createMailer } from "./notifications/mailer.js";
import { createRedis } from "./queue/redis.js";
import { chooseEngine } from "./engine/choose-engine.js";
import { createServer } from "./server/create-server.js";
import { openStore } from "./store/open-store.js";
import { startWorkers } from "./worker/start-workers.js";

/** How long shutdown may take before the process quits anyway. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

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

let packages: ReturnType<typeof parsePackages>;
try {
  packages = parsePackages(config.CREDIT_PACKAGES);
} catch (err) {
  console.error(`Invalid configuration:\n  - ${(err as Error).message}`);
  process.exit(1);
}

// One logger for Fastify, Probot and us.
const log = pino({ level: config.LOG_LEVEL });
const role = config.JASPER_ROLE;
const probot = createProbotFromConfig(config, log);
const store = await openStore(config.MONGODB_URI, (m) => log.warn(m));
const producerRedis = createRedis(config.REDIS_URL, "producer");
const engine = chooseEngine(config);
const mailer = createMailer(config.SMTP_URL, config.MAIL_FROM);
const jasper = composeJasper({
  store,
  probot,
  redis: producerRedis,
  engine,
  mailer,
  log,
  botName: config.BOT_NAME,
  publicUrl: config.PUBLIC_URL,
  freePerMonth: config.FREE_REVIEWS_PER_MONTH,
});

// Stripe is optional: without a key, checkout answers 503 and everything else works.
const stripe = config.STRIPE_SECRET_KEY
  ? createStripe(config.STRIPE_SECRET_KEY, config.STRIPE_API_BASE)
  : null;
const stripeEvents = stripe
  ? createStripeEvents({ stripe, ledger: jasper.ledger, packages })
  : null;
// GitHub Enterprise Server, when configured: where the billing API checks org admins.
const githubApi = config.GHE_HOST
  ? `${config.GHE_PROTOCOL}://${config.GHE_HOST}/api/v3`
  : undefined;

const server =
  role === "worker"
    ? null
    : await createServer({
        probot,
        app: jasper.app,
        store,
        log,
        plugins: [
          billingApi({
            accounts: store.accounts,
            ledger: jasper.ledger,
            apiKeys: store.apiKeys,
            packages,
            checkout: createCheckout({ stripe, publicUrl: config.PUBLIC_URL, packages }),
            github: createGitHubAuth({ baseUrl: githubApi }),
            botName: config.BOT_NAME,
          }),
          stripeWebhookRoute({
            webhookSecret: config.STRIPE_WEBHOOK_SECRET,
            stripe,
            events: stripeEvents,
          }),
        ],
      });
await server?.listen({ port: config.PORT, host: "0.0.0.0" });

const workerRedis = role === "web" ? null : createRedis(config.REDIS_URL, "worker");
const workers = workerRedis
  ? startWorkers({
      connection: workerRedis,
      runReview: jasper.runReview,
      postReply: jasper.postReply,
      sendAlert: jasper.sendAlert,
      sweep: jasper.sweep,
      log,
    })
  : null;
log.info({ role, engine: engine.name, config: describeConfig(config) }, "Jasper started");

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
