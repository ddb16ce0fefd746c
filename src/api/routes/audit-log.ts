import { z } from "zod";
import { DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE } from "../../audit/audit-log.js";
import { AUDIT_ACTIONS, AUDIT_INTERFACES, type AuditEntry } from "../../audit/types.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors } from "../errors.js";
import { BEARER_SECURITY, orgParams, timestamp } from "../schemas.js";
import { instant, listFilter } from "./query-params.js";

const querySchema = z
  .strictObject({
    action: listFilter(AUDIT_ACTIONS).optional(),
    from: instant.optional().describe("Entries at or after this instant"),
    to: instant.optional().describe("Entries before this instant"),
    cursor: z.string().min(1).max(200).optional().describe("nextCursor of the previous page"),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_AUDIT_PAGE)
      .optional()
      .describe(`Page size, default ${DEFAULT_AUDIT_PAGE}`),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, {
    message: "must be before `to`",
    path: ["from"],
  });

const actorSchema = z
  .object({
    kind: z.enum(["github_user", "api_key", "operator", "stripe", "app"]),
    id: z.union([z.number(), z.string()]).optional(),
    login: z.string().optional(),
    name: z.string().optional(),
  })
  .describe(
    "Who acted: a GitHub user (id, login), an API key (id), an operator (name), Stripe, the app",
  );

const entrySchema = z
  .object({
    id: z.string(),
    at: timestamp,
    actor: actorSchema,
    action: z.enum(AUDIT_ACTIONS),
    interface: z.enum(AUDIT_INTERFACES),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditEntry" });

const pageSchema = z.object({
  entries: z.array(entrySchema).describe("Newest first"),
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null at the end"),
});

const present = (e: AuditEntry): z.infer<typeof entrySchema> => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: { ...e.actor },
  action: e.action,
  interface: e.interface,
  details: e.details,
});

type Deps = Pick<BillingApiDeps, "audit"> & AuthDeps;

/**
 * GET /organizations/:org/audit-log: who changed the account's money or access, newest
 * first. The same access as billing reads: an org admin's GitHub token or a key of the org;
 * only ever that org's own entries (requireOrgAccess resolves the account).
 */
export function auditLogRoute(api: ApiInstance, deps: Deps): void {
  api.get(
    "/organizations/:org/audit-log",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        tags: ["audit"],
        summary: "Audit log: purchases, grants, adjustments, refunds, settings, keys, sign-ins",
        security: BEARER_SECURITY,
        params: orgParams,
        querystring: querySchema,
        response: { 200: pageSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { account } = callerOf(request);
      const q = request.query;
      const page = await deps.audit.list(account.id, {
        actions: q.action,
        from: q.from,
        to: q.to,
        cursor: q.cursor,
        limit: q.limit,
      });
      return { entries: page.entries.map(present), nextCursor: page.nextCursor };
    },
  );
}
