import { z } from "zod";
import type { ChangeAutoTopUpResult } from "../../administration/auto-top-up-settings.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import { adminOf } from "../auth/caller-actor.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { ApiError, commonErrors, errorResponse } from "../errors.js";
import { BEARER_SECURITY, orgParams } from "../schemas.js";

/** A whole number in [0, max], one message for every way it can be wrong. */
const whole = (max: number, what: string) => {
  const error = `expected ${what}: a whole number from 0 to ${max}`;
  return z.number({ error }).int({ error }).min(0, { error }).max(max, { error });
};

const bodySchema = z.strictObject({
  enabled: z.boolean().describe("On only when an admin sets it so; off by default"),
  package: z.string().min(1).max(100).describe("A package id from GET /billing/packages"),
  thresholdCredits: whole(1_000_000, "credits").describe(
    "Buy when a charge leaves the balance at or below this (at most the package's credits)",
  ),
  monthlyMaxCount: whole(100, "top-ups").describe("At most this many top-ups a calendar month"),
  monthlyMaxCents: whole(100_000_000, "cents").describe(
    "At most this much money a calendar month, in cents (at least the package's price when on)",
  ),
});

const autoTopUpSchema = z
  .object({
    enabled: z.boolean(),
    package: z.string(),
    thresholdCredits: z.number().int(),
    monthlyMaxCount: z.number().int(),
    monthlyMaxCents: z.number().int(),
    switchedOffBecause: z
      .enum(["card_removed", "declined"])
      .nullable()
      .describe("Why Jasper switched it off by itself; null when it did not"),
    paymentMethod: z
      .object({ brand: z.string(), last4: z.string() })
      .nullable()
      .describe("The card it pays with; null when none is saved"),
    thisMonth: z
      .object({ count: z.number().int(), amountCents: z.number().int() })
      .describe("This calendar month's (UTC) top-ups as the limit counts them: paid and in flight"),
    lastAttempt: z
      .object({
        at: z.string().describe("When it was made (ISO 8601)"),
        status: z.enum(["in_flight", "paid", "declined", "authentication_required", "failed"]),
        credits: z.number().int(),
        amountCents: z.number().int(),
        currency: z.string(),
      })
      .nullable()
      .describe("The latest top-up of the last 31 days and what came of it; null when none"),
  })
  .meta({ id: "AutoTopUp" });

type Deps = Pick<BillingApiDeps, "autoTopUp"> & AuthDeps;

const REFUSED: Record<Exclude<ChangeAutoTopUpResult["status"], "changed">, ApiError> = {
  unknown_package: new ApiError(
    400,
    "unknown_package",
    "No such package; see GET /billing/packages",
  ),
  threshold_above_package: new ApiError(
    400,
    "threshold_above_package",
    "thresholdCredits must be at most the package's credits",
  ),
  limit_too_low: new ApiError(
    400,
    "limit_too_low",
    "With auto top-up on, the monthly limit must allow one top-up: monthlyMaxCount at least 1 and monthlyMaxCents at least the package's price",
  ),
  no_payment_method: new ApiError(
    409,
    "no_payment_method",
    "Save a card first (POST .../billing/payment-method/setup)",
  ),
  top_up_pending: new ApiError(
    409,
    "top_up_pending",
    "A top-up is still on its way; switch auto top-up on once it is settled",
  ),
};

/** GET and PUT /organizations/:org/billing/auto-top-up. */
export function autoTopUpRoutes(api: ApiInstance, deps: Deps): void {
  const common = { tags: ["billing"], security: BEARER_SECURITY, params: orgParams };
  const path = "/organizations/:org/billing/auto-top-up";
  const present = (v: Awaited<ReturnType<Deps["autoTopUp"]["view"]>>) => ({
    enabled: v.enabled,
    package: v.packageId,
    thresholdCredits: v.thresholdCredits,
    monthlyMaxCount: v.monthlyMaxCount,
    monthlyMaxCents: v.monthlyMaxCents,
    switchedOffBecause: v.switchedOffBecause,
    paymentMethod: v.paymentMethod,
    thisMonth: { count: v.thisMonth.count, amountCents: v.thisMonth.cents },
    lastAttempt: v.lastAttempt && {
      at: v.lastAttempt.at.toISOString(),
      status: v.lastAttempt.status,
      credits: v.lastAttempt.credits,
      amountCents: v.lastAttempt.priceCents,
      currency: v.lastAttempt.currency,
    },
  });

  api.get(
    path,
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        ...common,
        summary: "Auto top-up's settings and the card it pays with",
        response: { 200: autoTopUpSchema, ...commonErrors },
      },
    },
    async (request) => present(await deps.autoTopUp.view(callerOf(request).account.id)),
  );

  api.put(
    path,
    {
      // An admin's GitHub sign-in, never a key: this decides what a card is charged.
      preParsing: requireOrgAccess(deps, "admin"),
      bodyLimit: 4096,
      schema: {
        ...common,
        summary: "Change auto top-up (an org admin's GitHub token; the whole settings)",
        body: bodySchema,
        response: {
          200: autoTopUpSchema,
          ...commonErrors,
          400: errorResponse(
            "Invalid request, `unknown_package`, `threshold_above_package` or `limit_too_low`",
          ),
          403: errorResponse("`github_token_required`: an API key cannot change auto top-up"),
          409: errorResponse("`no_payment_method` (save a card first) or `top_up_pending`"),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const b = request.body;
      const result = await deps.autoTopUp.change(caller.account.id, adminOf(caller), {
        enabled: b.enabled,
        packageId: b.package,
        thresholdCredits: b.thresholdCredits,
        monthlyMaxCount: b.monthlyMaxCount,
        monthlyMaxCents: b.monthlyMaxCents,
      });
      if (result.status !== "changed") throw REFUSED[result.status];
      return present(result.view);
    },
  );
}
