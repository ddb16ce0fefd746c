import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from "fastify";
import type { Logger } from "pino";
import type { Probot } from "probot";
import type { ReceiveDelivery } from "../deliveries/receive-delivery.js";
import { apiFrameworkErrors } from "../api/errors.js";
import type { InstallationOwnerCheck } from "../github/installation-owner.js";
import type { Store } from "../store/store.js";
import { githubWebhookRoute } from "./github-webhook-route.js";

/**
 * How long /healthz waits for the database before answering 503. A probe wants a quick
 * answer, and a ping to a MongoDB that does not answer would otherwise wait out the driver's
 * server selection (15 s, mongo-connection.ts), longer than most probes' own timeouts.
 */
export const HEALTH_PING_TIMEOUT_MS = 2_000;

export interface ServerDeps {
  /** Probot's webhooks check the signature. */
  probot: Probot;
  /** Records and queues a verified, valid delivery (src/deliveries/receive-delivery.ts). */
  receive: ReceiveDelivery;
  store: Pick<Store, "ping">;
  /** Refuses a repository event whose installation is not the repository owner's. */
  installationOwner?: InstallationOwnerCheck;
  log: Logger;
  /** Pings /readyz runs besides the database's (Redis, which every webhook needs). */
  readiness?: Record<string, () => Promise<unknown>>;
  /** Fastify's trustProxy (config TRUST_PROXY); default false. */
  trustProxy?: boolean | string;
  /** More routes (the Stripe webhook, the billing API), each in its own scope. */
  plugins?: FastifyPluginAsync[];
}

/**
 * The HTTP side: GitHub's webhooks are recorded and queued through github-webhook-route.ts,
 * which bounds the body and verifies the signature before anything is written; /healthz says whether
 * the database answers; `plugins` add the rest.
 */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.log;
  // frameworkErrors: a URL Fastify cannot route still gets the API's JSON error shape.
  const server = Fastify({
    loggerInstance: logger,
    frameworkErrors: apiFrameworkErrors,
    trustProxy: deps.trustProxy ?? false,
  });
  // The route verifies and records; the deliveries worker hands events to the Probot app.
  // Probot makes its webhooks (the signature check) once it has initialized.
  await deps.probot.ready();
  await server.register(
    githubWebhookRoute({
      webhooks: deps.probot.webhooks,
      receive: deps.receive,
      ...(deps.installationOwner ? { refusal: deps.installationOwner } : {}),
    }),
  );

  server.get("/healthz", async (_request, reply) => {
    try {
      await withTimeout(deps.store.ping(), HEALTH_PING_TIMEOUT_MS);
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable", reason: "database" });
    }
  });

  // Readiness: whether this process can take a webhook now. A webhook needs the database
  // (the inbox) and Redis (the queue): without either it would fail, so a load balancer
  // should send it elsewhere. Each check is bounded like the health ping.
  const checks = { database: () => deps.store.ping(), ...deps.readiness };
  server.get("/readyz", async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), HEALTH_PING_TIMEOUT_MS);
          return [name, "ok"] as const;
        } catch {
          return [name, "unavailable"] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === "ok");
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? "ready" : "unavailable", checks: Object.fromEntries(results) });
  });

  for (const plugin of deps.plugins ?? []) await server.register(plugin);
  return server;
}

/**
 * `promise`, or a rejection once `ms` have passed. The ping itself goes on (the Store port
 * takes no signal) and ends by itself within the driver's server selection timeout; its late
 * rejection is handled by the race, so it is never unhandled.
 */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
