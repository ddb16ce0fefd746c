import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from "fastify";
import type { Logger } from "pino";
import type { ApplicationFunction, Probot } from "probot";
import { apiFrameworkErrors } from "../api/errors.js";
import type { Store } from "../store/store.js";
import { githubWebhookRoute } from "./github-webhook-route.js";

export interface ServerDeps {
  probot: Probot;
  app: ApplicationFunction;
  store: Pick<Store, "ping">;
  log: Logger;
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
  const server = Fastify({ loggerInstance: logger, frameworkErrors: apiFrameworkErrors });
  // The app subscribes to Probot's webhooks; the route verifies and hands events to them.
  await deps.probot.load(deps.app);
  await server.register(githubWebhookRoute({ webhooks: deps.probot.webhooks }));

  server.get("/healthz", async (_request, reply) => {
    try {
      await deps.store.ping();
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable", reason: "database" });
    }
  });

  for (const plugin of deps.plugins ?? []) await server.register(plugin);
  return server;
}
