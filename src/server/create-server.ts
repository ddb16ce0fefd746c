import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from "fastify";
import type { Logger } from "pino";
import type { ApplicationFunction, Probot } from "probot";
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
  probot: Probot;
  app: ApplicationFunction;
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
 * The HTTP side: GitHub's webhooks go to the Probot app through github-webhook-route.ts, which
 * bounds the body and verifies the signature before any handler runs; /healthz says whether
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
  // The app subscribes to Probot's webhooks; the route verifies and hands events to them.
  await deps.probot.load(deps.app);
  await server.register(
    githubWebhookRoute({
      webhooks: deps.probot.webhooks,
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
  // (claims, charges) and Redis (the queue): without either it would fail, so a load balancer
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
