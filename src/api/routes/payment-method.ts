import { randomUUID } from "node:crypto";
import { z } from "zod";
import { sha256 } from "../../accounts/api-keys.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import { adminOf } from "../auth/caller-actor.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { ApiError, commonErrors, errorResponse } from "../errors.js";
import { BEARER_SECURITY, orgParams, timestamp } from "../schemas.js";

const paymentMethodSchema = z
  .object({
    paymentMethod: z
      .object({
        brand: z.string().describe("The card's brand as Stripe names it (visa, mastercard, ...)"),
        last4: z.string().describe("The card's last four digits"),
        savedAt: timestamp,
      })
      .nullable()
      .describe("The card saved for auto top-up; null when none is"),
  })
  .meta({ id: "PaymentMethod" });

const headersSchema = z.looseObject({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, "must be 1 to 200 printable ASCII characters without spaces")
    .optional()
    .describe("Retries with the same key get the same Checkout Session"),
});

type Deps = Pick<BillingApiDeps, "paymentMethods" | "cardSetup"> & AuthDeps;

/**
 * The card auto top-up pays with: GET (brand and last four), POST .../setup (a Stripe
 * Checkout page in setup mode where an admin saves one, consenting to payments made without
 * them), DELETE (forget it; auto top-up goes off with it). Saving and removing take an
 * admin's GitHub token: a key never chooses what a card is charged for.
 */
export function paymentMethodRoutes(api: ApiInstance, deps: Deps): void {
  const common = { tags: ["billing"], security: BEARER_SECURITY, params: orgParams };
  const path = "/organizations/:org/billing/payment-method";

  api.get(
    path,
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        ...common,
        summary: "The card saved for auto top-up",
        response: { 200: paymentMethodSchema, ...commonErrors },
      },
    },
    async (request) => {
      const method = await deps.paymentMethods.show(callerOf(request).account.id);
      return {
        paymentMethod: method
          ? { brand: method.brand, last4: method.last4, savedAt: method.savedAt.toISOString() }
          : null,
      };
    },
  );

  api.post(
    `${path}/setup`,
    {
      preParsing: requireOrgAccess(deps, "admin"),
      bodyLimit: 1024,
      schema: {
        ...common,
        summary: "Save a card for auto top-up in Stripe Checkout (an org admin's GitHub token)",
        headers: headersSchema,
        response: {
          201: z.object({
            url: z.string().describe("Stripe Checkout in setup mode: send the admin here"),
            sessionId: z.string(),
          }),
          ...commonErrors,
          403: errorResponse("`github_token_required`: an API key cannot save a card"),
          503: errorResponse("`card_setup_unavailable`: Stripe is not set up; or GitHub is down"),
        },
      },
    },
    async (request, reply) => {
      const { account } = callerOf(request);
      const clientKey = request.headers["idempotency-key"];
      const requestKey = clientKey
        ? `api-card-setup:${account.id}:${sha256(clientKey).slice(0, 40)}`
        : `api-card-setup:${account.id}:${randomUUID()}`;
      const result = await deps.cardSetup({
        accountId: account.id,
        accountLogin: account.login,
        requestKey,
      });
      if (result.status === "unavailable") {
        throw new ApiError(503, "card_setup_unavailable", "Saving a card is not available now");
      }
      return reply.code(201).send({ url: result.url, sessionId: result.sessionId });
    },
  );

  api.delete(
    path,
    {
      preParsing: requireOrgAccess(deps, "admin"),
      schema: {
        ...common,
        summary: "Remove the saved card; auto top-up goes off (an org admin's GitHub token)",
        response: {
          200: z.object({
            removed: z.literal(true),
            detachedAtStripe: z
              .boolean()
              .describe("False when Stripe could not be asked: Jasper no longer uses the card"),
            autoTopUpSwitchedOff: z.boolean().describe("Whether auto top-up was on until now"),
          }),
          ...commonErrors,
          403: errorResponse("`github_token_required`: an API key cannot remove a card"),
          404: errorResponse("`no_payment_method`: no card is saved (or no such organization)"),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const result = await deps.paymentMethods.remove(caller.account.id, adminOf(caller));
      if (result.status === "none") {
        throw new ApiError(404, "no_payment_method", "No card is saved for this organization");
      }
      const { detachedAtStripe, autoTopUpSwitchedOff } = result;
      return { removed: true as const, detachedAtStripe, autoTopUpSwitchedOff };
    },
  );
}
