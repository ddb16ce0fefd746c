/**
 * The billing API (v1): a Fastify plugin the web server registers. Everything lives in its
 * own encapsulated scope under /api/v1, so its zod validation, error handler, JSON 404s, rate
 * limit and OpenAPI document touch nothing else on the server (the Probot webhooks).
 *
 * The zod schemas on each route are the single source: they validate requests, check and
 * serialize responses, and @fastify/swagger turns them into GET /api/v1/openapi.json.
 */
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import type { FastifyPluginAsync } from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { recordKeyUse } from "./auth/authenticate.js";
import { rateLimitKey } from "./auth/credential.js";
import { createFailedAuthLimit } from "./auth/failed-auth-limit.js";
import type { BillingApiDeps } from "./deps.js";
import { transformObject } from "./openapi.js";
import { ApiError, apiErrorHandler, apiNotFoundHandler } from "./errors.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { budgetRoutes } from "./routes/budgets.js";
import { autoTopUpRoutes } from "./routes/auto-top-up.js";
import { auditLogRoute } from "./routes/audit-log.js";
import { learningRoutes } from "./routes/learnings.js";
import { invoicesRoute } from "./routes/invoices.js";
import { billingSummaryRoute } from "./routes/billing-summary.js";
import { billingStatusRoute } from "./routes/billing-status.js";
import { subscriptionChangeRoutes, subscriptionRoutes } from "./routes/subscription.js";
import { calculatorRoute } from "./routes/calculator.js";
import { checkoutRoute } from "./routes/checkout.js";
import { meRoutes } from "./routes/me.js";
import { paymentMethodRoutes } from "./routes/payment-method.js";
import { packagesRoute } from "./routes/packages.js";
import { pausedReviewsRoute } from "./routes/paused-reviews.js";
import { settingsRoutes } from "./routes/settings.js";
import { spendRoute } from "./routes/spend.js";
import { transactionsRoute } from "./routes/transactions.js";
import { usageRoute } from "./routes/usage.js";

export const API_PREFIX = "/api/v1";
const DEFAULT_RATE_LIMIT: NonNullable<BillingApiDeps["rateLimit"]> = {
  max: 300,
  timeWindowMs: 60_000,
};
/** Failed authentications per client address and window: a person mistyping never gets here. */
const DEFAULT_FAILED_AUTH_MAX = 30;

export function billingApi(deps: BillingApiDeps): FastifyPluginAsync {
  return async (server) => {
    await server.register(
      async (scope) => {
        scope.setValidatorCompiler(validatorCompiler);
        scope.setSerializerCompiler(serializerCompiler);
        scope.setErrorHandler(apiErrorHandler);
        scope.setNotFoundHandler(apiNotFoundHandler);

        // Both add onRoute hooks, so they must be in place before the first route.
        await scope.register(fastifySwagger, {
          openapi: {
            openapi: "3.0.3",
            info: {
              title: "Jasper billing API",
              version: "1.0.0",
              description: "Credits, balance, history and purchases of a Jasper account.",
            },
            components: {
              securitySchemes: {
                bearer: {
                  type: "http",
                  scheme: "bearer",
                  description:
                    "A Jasper API key of the organization (jsp_...), or the GitHub token of an " +
                    "organization admin (of the user, for a user account). Read keys (the " +
                    "default) read; write keys may also start a checkout; changing settings " +
                    "and managing keys take the admin's GitHub token.",
                },
              },
            },
          },
          transform: jsonSchemaTransform,
          transformObject,
        });
        const limit = deps.rateLimit ?? DEFAULT_RATE_LIMIT;
        await scope.register(fastifyRateLimit, {
          global: true,
          max: limit.max,
          timeWindow: limit.timeWindowMs,
          keyGenerator: rateLimitKey,
          // In Redis, so that the limit holds across web processes, not per process.
          redis: deps.redis,
          nameSpace: `${deps.redisPrefix}:api-rate:`,
          // Thrown by the plugin, answered by apiErrorHandler like any other error.
          errorResponseBuilder: (_request, ctx) =>
            new ApiError(429, "rate_limited", `Too many requests; retry in ${ctx.after}`),
        });
        const failedAuth = createFailedAuthLimit(scope, {
          max: limit.failedAuthMax ?? DEFAULT_FAILED_AUTH_MAX,
          timeWindowMs: limit.timeWindowMs,
        });
        scope.addHook("onResponse", recordKeyUse(deps.apiKeys));
        const routeDeps = { ...deps, failedAuth };

        const api = scope.withTypeProvider<ZodTypeProvider>();
        api.get(
          "/openapi.json",
          { schema: { hide: true }, config: { publicRoute: true } },
          async () => scope.swagger(),
        );
        packagesRoute(api, routeDeps);
        calculatorRoute(api, routeDeps);
        billingSummaryRoute(api, routeDeps);
        transactionsRoute(api, routeDeps);
        invoicesRoute(api, routeDeps);
        checkoutRoute(api, routeDeps);
        settingsRoutes(api, routeDeps);
        budgetRoutes(api, routeDeps);
        pausedReviewsRoute(api, routeDeps);
        apiKeyRoutes(api, routeDeps);
        auditLogRoute(api, routeDeps);
        learningRoutes(api, routeDeps);
        meRoutes(api, {
          ...routeDeps,
          missingSignInSettings: deps.missingSignInSettings ?? [],
          installUrl: deps.installUrl ?? null,
        });
        usageRoute(api, routeDeps);
        spendRoute(api, routeDeps);
        paymentMethodRoutes(api, routeDeps);
        autoTopUpRoutes(api, routeDeps);
        billingStatusRoute(api, routeDeps);
        subscriptionRoutes(api, routeDeps);
        subscriptionChangeRoutes(api, routeDeps);
      },
      { prefix: API_PREFIX },
    );
  };
}
