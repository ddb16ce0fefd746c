import { z } from "zod";
import type { AccountSettings } from "../../accounts/types.js";
import { changeSettings } from "../../administration/change-settings.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import { adminOf } from "../auth/caller-actor.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors, errorResponse, notFound } from "../errors.js";
import { BEARER_SECURITY, orgParams } from "../schemas.js";

export const MAX_BILLING_CONTACTS = 20;
const REVIEW_CHARGING = ["pull_request", "review_run"] as const;

const contact = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());

const updateSchema = z.strictObject({
  billingContacts: z
    .array(contact)
    .max(MAX_BILLING_CONTACTS)
    .transform((list) => [...new Set(list)])
    .optional()
    .describe("Who gets low-balance emails; replaces the whole list"),
  lowBalanceEmails: z.boolean().optional().describe("Whether low-balance emails go out at all"),
  reviewCharging: z
    .enum(REVIEW_CHARGING)
    .optional()
    .describe("pull_request: one credit per PR; review_run: every review run is charged"),
  chatFromNonWriters: z
    .boolean()
    .optional()
    .describe(
      "Whether chat (@mentions) from people without write access is answered (commands never are)",
    ),
});

const settingsSchema = z
  .object({
    billingContacts: z.array(z.string()),
    lowBalanceEmails: z.boolean(),
    reviewCharging: z.enum(REVIEW_CHARGING),
    chatFromNonWriters: z.boolean(),
  })
  .meta({ id: "BillingSettings" });

const present = (s: AccountSettings): z.infer<typeof settingsSchema> => ({
  billingContacts: [...s.billingContacts],
  lowBalanceEmails: s.lowBalanceEmails,
  reviewCharging: s.reviewCharging,
  chatFromNonWriters: s.chatFromNonWriters,
});

type Deps = Pick<BillingApiDeps, "accounts" | "audit"> & AuthDeps;

/** GET and PUT /organizations/:org/billing/settings: billing contacts and alert emails. */
export function settingsRoutes(api: ApiInstance, deps: Deps): void {
  const common = {
    tags: ["billing"],
    security: BEARER_SECURITY,
    params: orgParams,
  };

  api.get(
    "/organizations/:org/billing/settings",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        ...common,
        summary: "Billing contacts and notification settings",
        response: { 200: settingsSchema, ...commonErrors },
      },
    },
    async (request) => present(callerOf(request).account.settings),
  );

  api.put(
    "/organizations/:org/billing/settings",
    {
      // An admin's GitHub sign-in, never a key: who gets the alerts is what a stolen key
      // would change first.
      preParsing: requireOrgAccess(deps, "admin"),
      bodyLimit: 16_384,
      schema: {
        ...common,
        summary: "Change billing settings (needs an org admin's GitHub token; omitted fields kept)",
        body: updateSchema,
        response: {
          200: settingsSchema,
          ...commonErrors,
          403: errorResponse("`github_token_required`: an API key cannot change settings"),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const settings = await changeSettings(deps, caller.account, adminOf(caller), request.body);
      if (!settings) throw notFound();
      return present(settings);
    },
  );
}
