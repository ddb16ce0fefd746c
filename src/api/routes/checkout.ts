import { randomUUID } from "node:crypto";
import { z } from "zod";
import { sha256 } from "../../accounts/api-keys.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { ApiError, commonErrors, errorResponse } from "../errors.js";
import {
  BEARER_SECURITY,
  checkoutCurrencyField,
  currencyFixedMessage,
  orgParams,
} from "../schemas.js";

const headersSchema = z.looseObject({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, "must be 1 to 200 printable ASCII characters without spaces")
    .optional()
    .describe("Retries with the same key get the same Checkout Session"),
});

const bodySchema = z.strictObject({
  package: z.string().min(1).max(100).describe("A package id from GET /billing/packages"),
  currency: checkoutCurrencyField,
});

const sessionSchema = z.object({
  url: z.string().describe("Stripe Checkout: send the buyer here"),
  sessionId: z.string(),
});

type Deps = Pick<BillingApiDeps, "checkout"> & AuthDeps;

/**
 * POST /organizations/:org/billing/checkout: a Stripe Checkout URL for a credit package. A
 * write key may start one (CI topping up credits); a read key may not. Nothing is charged
 * here: the buyer pays on Stripe's page.
 */
export function checkoutRoute(api: ApiInstance, deps: Deps): void {
  api.post(
    "/organizations/:org/billing/checkout",
    {
      preParsing: requireOrgAccess(deps, "write"),
      bodyLimit: 4096,
      schema: {
        tags: ["billing"],
        summary: "Start buying a credit package (a write key or an org admin's GitHub token)",
        security: BEARER_SECURITY,
        params: orgParams,
        headers: headersSchema,
        body: bodySchema,
        response: {
          201: sessionSchema,
          ...commonErrors,
          400: errorResponse("Invalid request (an unknown currency), or `unknown_package`"),
          403: errorResponse("`insufficient_scope`: a read key cannot buy credits"),
          409: errorResponse(
            "`currency_fixed`: the organization pays in the currency of its first payment",
          ),
          503: errorResponse("`checkout_unavailable`: buying is not set up; or GitHub is down"),
        },
      },
    },
    async (request, reply) => {
      const { account } = callerOf(request);
      const clientKey = request.headers["idempotency-key"];
      // Scoped to the account, so two orgs that pick the same key never share a session.
      const requestKey = clientKey
        ? `api-checkout:${account.id}:${sha256(clientKey).slice(0, 40)}`
        : `api-checkout:${account.id}:${randomUUID()}`;
      const result = await deps.checkout({
        accountId: account.id,
        accountLogin: account.login,
        packageId: request.body.package,
        currency: request.body.currency,
        requestKey,
      });
      switch (result.status) {
        case "created":
          return reply.code(201).send({ url: result.url, sessionId: result.sessionId });
        case "unknown_package":
          throw new ApiError(400, "unknown_package", "No such package; see GET /billing/packages");
        case "currency_fixed":
          throw new ApiError(409, "currency_fixed", currencyFixedMessage(result.fixed));
        case "unavailable":
          throw new ApiError(503, "checkout_unavailable", "Buying credits is not available now");
      }
    },
  );
}
