import { randomUUID } from "node:crypto";
import { z } from "zod";
import { PLAN_INTERVALS } from "../../billing/plans.js";
import type { ChangeRefusal, ChangeResult } from "../../billing/subscription-changes.js";
import { SUBSCRIPTION_STATUSES } from "../../billing/subscription-store.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import { adminOf } from "../auth/caller-actor.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { ApiError, commonErrors, errorResponse } from "../errors.js";
import {
  BEARER_SECURITY,
  checkoutCurrencyField,
  currencyFixedMessage,
  orgParams,
  timestamp,
} from "../schemas.js";
import { idempotencyHeaders, requestKeyOf } from "./request-key.js";

const bodySchema = z.strictObject({
  plan: z.string().min(1).max(40).describe("A paid plan's id (GET /billing/status names them)"),
  interval: z.enum(PLAN_INTERVALS).describe("Billed each month, or each year"),
});

/** Subscribing chooses the currency too; a change keeps the subscription's own. */
const checkoutBodySchema = bodySchema.extend({ currency: checkoutCurrencyField });

type Deps = Pick<BillingApiDeps, "subscriptionCheckout" | "subscriptionChanges" | "audit"> &
  AuthDeps;

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
        headers: idempotencyHeaders,
        body: checkoutBodySchema,
        response: {
          201: z.object({
            url: z.string().describe("Stripe Checkout in subscription mode: send the admin here"),
            sessionId: z.string(),
          }),
          ...commonErrors,
          400: errorResponse("Invalid request, or `unknown_plan`"),
          403: errorResponse("`github_token_required`: an API key cannot subscribe"),
          409: errorResponse(
            "`already_subscribed`: change the plan the account holds instead; `currency_fixed`: the organization pays in the currency of its first payment",
          ),
          503: errorResponse("`subscription_unavailable`: Stripe is not set up or not reachable"),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { account } = caller;
      const requestKey = requestKeyOf(
        "api-subscription",
        account.id,
        request.headers["idempotency-key"],
      );
      const { plan, interval, currency } = request.body;
      const result = await deps.subscriptionCheckout({
        accountId: account.id,
        accountLogin: account.login,
        plan,
        interval,
        currency,
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
        case "currency_fixed":
          throw new ApiError(409, "currency_fixed", currencyFixedMessage(result.fixed));
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

const subscriptionSchema = z
  .object({
    subscription: z.string(),
    plan: z.string(),
    interval: z.enum(PLAN_INTERVALS),
    status: z.enum(SUBSCRIPTION_STATUSES),
    currentPeriodEnd: timestamp,
    cancelAtPeriodEnd: z.boolean(),
    scheduledChange: z
      .object({ plan: z.string(), interval: z.enum(PLAN_INTERVALS), at: timestamp })
      .nullable()
      .describe("A downgrade or a switch to monthly this request scheduled for the period's end"),
  })
  .meta({ id: "Subscription" });

const refusals: Record<ChangeRefusal["status"], [number, string]> = {
  no_subscription: [404, "The account holds no subscription"],
  already_cancelled: [409, "The subscription is already cancelled at the period's end"],
  not_cancelled: [409, "The subscription is not cancelled: nothing to reactivate"],
  unknown_plan: [400, "No such paid plan"],
  same_plan: [409, "The account holds this plan and interval already"],
  payment_failed: [402, "The prorated payment did not go through: the plan is unchanged"],
  unpriced_currency: [409, "The subscription is billed in a currency Jasper has no price in"],
  unavailable: [503, "Stripe is not set up or could not be reached: nothing changed"],
};

/**
 * Changes to the subscription the account holds, by an admin's GitHub token: the plan (an
 * upgrade at once, a downgrade at the period's end), cancelling at the period's end and reactivating before it; and the
 * Stripe billing portal (payment methods, invoices, billing details). Each change
 * is audited with who asked; Stripe's events record the state it leads to.
 */
export function subscriptionChangeRoutes(api: ApiInstance, deps: Deps): void {
  const common = {
    tags: ["billing"],
    security: BEARER_SECURITY,
    params: orgParams,
  };
  const errors = {
    ...commonErrors,
    403: errorResponse("`github_token_required`: an API key cannot change the subscription"),
    404: errorResponse("`no_subscription`: the account holds none (or no such organization)"),
    409: errorResponse(
      "`already_cancelled`, `not_cancelled`, `same_plan`, `unpriced_currency` (billed in a currency Jasper sets no price in)",
    ),
    503: errorResponse("`unavailable`: Stripe is not set up or not reachable; nothing changed"),
  };
  const path = "/organizations/:org/billing/subscription";

  async function answer(
    request: Parameters<typeof callerOf>[0],
    change: string,
    result: ChangeResult,
  ) {
    if (result.status !== "changed" && result.status !== "scheduled") {
      const [code, message] = refusals[result.status];
      throw new ApiError(code, result.status, message);
    }
    const caller = callerOf(request);
    const admin = adminOf(caller);
    const s = result.state;
    const scheduledChange =
      result.status === "scheduled"
        ? { plan: result.plan, interval: result.interval, at: s.currentPeriodEnd.toISOString() }
        : null;
    await deps.audit.record({
      accountId: caller.account.id,
      actor: admin.actor,
      action: "subscription_changed",
      interface: admin.interface,
      details: {
        change,
        subscription: s.subscriptionId,
        plan: s.plan,
        interval: s.interval,
        cancelAtPeriodEnd: s.cancelAtPeriodEnd,
        ...(scheduledChange && { scheduledChange }),
      },
      idempotencyKey: `subscription-request:${s.subscriptionId}:${change}:${randomUUID()}`,
    });
    return {
      subscription: s.subscriptionId,
      plan: s.plan,
      interval: s.interval,
      status: s.status,
      currentPeriodEnd: s.currentPeriodEnd.toISOString(),
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      scheduledChange,
    };
  }

  api.put(
    path,
    {
      preParsing: requireOrgAccess(deps, "admin"),
      bodyLimit: 4096,
      schema: {
        ...common,
        summary:
          "Change the plan: an upgrade or a switch to annual at once, prorated; a downgrade or a switch to monthly at the period's end (an org admin's GitHub token)",
        headers: idempotencyHeaders,
        body: bodySchema,
        response: {
          200: subscriptionSchema,
          ...errors,
          400: errorResponse("Invalid request, or `unknown_plan`"),
          402: errorResponse("`payment_failed`: the prorated payment failed; nothing changed"),
        },
      },
    },
    async (request) => {
      const { account } = callerOf(request);
      const requestKey = requestKeyOf(
        "api-plan-change",
        account.id,
        request.headers["idempotency-key"],
      );
      const { plan, interval } = request.body;
      const result = await deps.subscriptionChanges.changePlan(
        account.id,
        plan,
        interval,
        requestKey,
      );
      return answer(request, "plan", result);
    },
  );

  for (const change of ["cancel", "reactivate"] as const) {
    api.post(
      `${path}/${change}`,
      {
        preParsing: requireOrgAccess(deps, "admin"),
        schema: {
          ...common,
          summary:
            change === "cancel"
              ? "Cancel at the period's end: the plan holds until then (an org admin's GitHub token)"
              : "Reactivate a cancelled subscription before its period ends (an org admin's GitHub token)",
          response: { 200: subscriptionSchema, ...errors },
        },
      },
      async (request) => {
        const { account } = callerOf(request);
        return answer(request, change, await deps.subscriptionChanges[change](account.id));
      },
    );
  }

  api.post(
    "/organizations/:org/billing/portal",
    {
      preParsing: requireOrgAccess(deps, "admin"),
      schema: {
        ...common,
        summary:
          "A Stripe billing portal session that returns to the dashboard (an org admin's GitHub token)",
        response: {
          201: z.object({
            url: z.string().describe("The Stripe billing portal: send the admin here"),
          }),
          ...commonErrors,
          403: errorResponse("`github_token_required`: an API key cannot open the portal"),
          409: errorResponse("`no_customer`: the account has not paid through Stripe yet"),
          503: errorResponse("`unavailable`: Stripe is not set up or not reachable"),
        },
      },
    },
    async (request, reply) => {
      const { account } = callerOf(request);
      const result = await deps.subscriptionChanges.portal(account.id, account.login);
      if (result.status === "no_customer") {
        throw new ApiError(
          409,
          "no_customer",
          "The account has no Stripe customer: nothing to manage yet",
        );
      }
      if (result.status === "unavailable") {
        throw new ApiError(503, "unavailable", "Stripe is not set up or could not be reached");
      }
      return reply.code(201).send({ url: result.url });
    },
  );
}
