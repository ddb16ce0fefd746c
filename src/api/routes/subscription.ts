import { randomUUID } from "node:crypto";
import { z } from "zod";
import { sha256 } from "../../accounts/api-keys.js";
import { PLAN_INTERVALS } from "../../billing/plans.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import { adminOf } from "../auth/caller-actor.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { ApiError, commonErrors, errorResponse } from "../errors.js";
import { BEARER_SECURITY, orgParams } from "../schemas.js";

const headersSchema = z.looseObject({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, "must be 1 to 200 printable ASCII characters without spaces")
    .optional()
    .describe("Retries with the same key get the same Checkout Session"),
});

const bodySchema = z.strictObject({
  plan: z.string().min(1).max(40).describe("A paid plan's id (GET /billing/status names them)"),
  interval: z.enum(PLAN_INTERVALS).describe("Billed each month, or each year"),
});

type Deps = Pick<BillingApiDeps, "subscriptionCheckout" | "audit"> & AuthDeps;

/**
 * POST /organizations/:org/billing/subscription: a Stripe Checkout URL in subscription mode
 * for a plan and interval. An admin's GitHub token only: a key never chooses what the
 * account pays for every month. Nothing changes until Stripe says the first invoice is paid.
 */
export function subscriptionRoutes(api: ApiInstance, deps: Deps): void {
  api.post(
    "/organizations/:org/billing/subscription",
    {
      preParsing: requireOrgAccess(deps, "admin"),
      bodyLimit: 4096,
      schema: {
        tags: ["billing"],
        summary: "Subscribe to a plan in Stripe Checkout (an org admin's GitHub token)",
        security: BEARER_SECURITY,
        params: orgParams,
        headers: headersSchema,
        body: bodySchema,
        response: {
          201: z.object({
            url: z.string().describe("Stripe Checkout in subscription mode: send the admin here"),
            sessionId: z.string(),
          }),
          ...commonErrors,
          400: errorResponse("Invalid request, or `unknown_plan`"),
          403: errorResponse("`github_token_required`: an API key cannot subscribe"),
          409: errorResponse("`already_subscribed`: change the plan the account holds instead"),
          503: errorResponse("`subscription_unavailable`: Stripe is not set up or not reachable"),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { account } = caller;
      const clientKey = request.headers["idempotency-key"];
      const requestKey = clientKey
        ? `api-subscription:${account.id}:${sha256(clientKey).slice(0, 40)}`
        : `api-subscription:${account.id}:${randomUUID()}`;
      const { plan, interval } = request.body;
      const result = await deps.subscriptionCheckout({
        accountId: account.id,
        accountLogin: account.login,
        plan,
        interval,
        requestKey,
      });
      switch (result.status) {
        case "unknown_plan":
          throw new ApiError(400, "unknown_plan", "No such paid plan");
        case "already_subscribed":
          throw new ApiError(
            409,
            "already_subscribed",
            "The account has a subscription: change its plan instead",
          );
        case "unavailable":
          throw new ApiError(503, "subscription_unavailable", "Subscribing is not available now");
        case "created": {
          const admin = adminOf(caller);
          await deps.audit.record({
            accountId: account.id,
            actor: admin.actor,
            action: "subscription_checkout",
            interface: admin.interface,
            details: { plan: result.plan.id, interval, checkoutSession: result.sessionId },
            // A retried request gets the same session, and one entry.
            idempotencyKey: `subscription-checkout:${result.sessionId}`,
          });
          return reply.code(201).send({ url: result.url, sessionId: result.sessionId });
        }
      }
    },
  );
}
