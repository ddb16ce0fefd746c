import { z } from "zod";
import { API_KEY_SCOPES, LISTED_REVOKED_KEYS, type ApiKey } from "../../accounts/api-key-store.js";
import { createApiKey, MAX_ACTIVE_KEYS, revokeApiKey } from "../../administration/api-keys.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import { adminOf } from "../auth/caller-actor.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { ApiError, commonErrors, errorResponse, notFound } from "../errors.js";
import { BEARER_SECURITY, orgParams, timestamp } from "../schemas.js";

const scopeSchema = z
  .enum(API_KEY_SCOPES)
  .describe("read: balance, history, settings, keys; write: that and buying credits (checkout)");

const keySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe("The start of the key, to recognise it by"),
    scope: scopeSchema,
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: "ApiKey" });

const createdSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scope: scopeSchema,
  key: z.string().describe("The key itself. Shown only now: store it somewhere safe"),
  createdAt: timestamp,
});

const createSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^\p{Cc}]*$/u, "must not contain control characters"),
  scope: scopeSchema.default("read"),
});

const keyParams = orgParams.extend({ id: z.string().min(1).max(100) });

const present = (k: ApiKey): z.infer<typeof keySchema> => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scope: k.scope,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

type Deps = Pick<BillingApiDeps, "apiKeys" | "audit"> & AuthDeps;

/**
 * /organizations/:org/api-keys. Creating and revoking keys takes an org admin's GitHub token
 * (no key, whatever its scope, can make or remove keys; so only an admin ever makes a write
 * key); listing works with any key of the org too.
 */
export function apiKeyRoutes(api: ApiInstance, deps: Deps): void {
  const adminOnly = requireOrgAccess(deps, "admin");
  const errors = {
    ...commonErrors,
    403: errorResponse("`github_token_required`: an API key cannot do this"),
  };
  const common = { tags: ["api keys"], security: BEARER_SECURITY };

  api.post(
    "/organizations/:org/api-keys",
    {
      preParsing: adminOnly,
      bodyLimit: 4096,
      schema: {
        ...common,
        summary: "Create an API key, read (default) or write (needs an org admin's GitHub token)",
        params: orgParams,
        body: createSchema,
        response: {
          201: createdSchema,
          ...errors,
          409: errorResponse("The organization has the most active keys it may have"),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { account } = caller;
      const result = await createApiKey(deps, account.id, adminOf(caller), request.body);
      if (!result.created) {
        throw new ApiError(
          409,
          result.reason,
          `At most ${MAX_ACTIVE_KEYS} active API keys; revoke one first`,
        );
      }
      const { stored, key } = result;
      request.log.info(
        { accountId: account.id, keyId: stored.id, scope: stored.scope, by: actor(caller) },
        "API key created",
      );
      return reply.code(201).send({
        id: stored.id,
        name: stored.name,
        prefix: stored.prefix,
        scope: stored.scope,
        key,
        createdAt: stored.createdAt.toISOString(),
      });
    },
  );

  api.get(
    "/organizations/:org/api-keys",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        ...common,
        summary:
          "API keys of the organization, newest first: every active one and the latest " +
          `${LISTED_REVOKED_KEYS} revoked (never the keys themselves)`,
        params: orgParams,
        response: { 200: z.object({ apiKeys: z.array(keySchema) }), ...commonErrors },
      },
    },
    async (request) => ({
      apiKeys: (await deps.apiKeys.list(callerOf(request).account.id)).map(present),
    }),
  );

  api.delete(
    "/organizations/:org/api-keys/:id",
    {
      preParsing: adminOnly,
      schema: {
        ...common,
        summary: "Revoke an API key (needs an org admin's GitHub token); it stops working at once",
        params: keyParams,
        response: { 204: z.undefined().describe("Revoked"), ...errors },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { id } = request.params;
      if (!(await revokeApiKey(deps, caller.account.id, adminOf(caller), id))) throw notFound();
      request.log.info(
        { accountId: caller.account.id, keyId: id, by: actor(caller) },
        "API key revoked",
      );
      return reply.code(204).send();
    },
  );
}

function actor(caller: ReturnType<typeof callerOf>): string {
  return caller.kind === "github" ? `github:${caller.user.login}` : `api_key:${caller.key.id}`;
}
