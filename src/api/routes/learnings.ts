import { z } from "zod";
import { deleteLearning } from "../../administration/learnings.js";
import type { Learning } from "../../learnings/types.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import { adminOf } from "../auth/caller-actor.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { InvalidInputError } from "../../shared/errors.js";
import { commonErrors, errorResponse, notFound } from "../errors.js";
import { BEARER_SECURITY, orgParams, timestamp } from "../schemas.js";

export const DEFAULT_LEARNINGS_PAGE = 25;
export const MAX_LEARNINGS_PAGE = 100;

const querySchema = z.strictObject({
  search: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe("Only learnings whose text, rule, paths or repository hold this (any case)"),
  cursor: z.string().min(1).max(200).optional().describe("nextCursor of the previous page"),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LEARNINGS_PAGE)
    .optional()
    .describe(`Page size, default ${DEFAULT_LEARNINGS_PAGE}`),
});

const learningSchema = z
  .object({
    id: z.string(),
    scope: z
      .enum(["repository", "organization"])
      .describe("repository: the repository it was taught in; organization: every repository"),
    repository: z.string().describe("Where it was taught, owner/name"),
    text: z.string().describe("What the reviewer is told"),
    rule: z.string().nullable().describe("The built-in rule it silences on `paths`, if any"),
    paths: z.string().nullable().describe("The glob where `rule` is silenced"),
    author: z.object({ id: z.number().int(), login: z.string() }).describe("Who taught it"),
    source: z
      .object({ number: z.number().int(), commentId: z.number().int() })
      .describe("The pull request and comment it came from"),
    createdAt: timestamp,
  })
  .meta({ id: "Learning" });

const pageSchema = z.object({
  learnings: z.array(learningSchema).describe("Newest first"),
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null at the end"),
});

const learningParams = orgParams.extend({ id: z.string().min(1).max(100) });

const present = (l: Learning): z.infer<typeof learningSchema> => ({
  id: l.id,
  scope: l.scope,
  repository: l.repository,
  text: l.text,
  rule: l.rule,
  paths: l.paths,
  author: { ...l.author },
  source: { ...l.source },
  createdAt: l.createdAt.toISOString(),
});

/** The cursor: the last learning of a page (its createdAt and id), opaque to callers. */
export function encodeLearningCursor(l: Pick<Learning, "createdAt" | "id">): string {
  return Buffer.from(JSON.stringify({ v: 1, at: l.createdAt.getTime(), id: l.id })).toString(
    "base64url",
  );
}

const cursorSchema = z.strictObject({
  v: z.literal(1),
  at: z.number().int().min(0).max(8.64e15),
  id: z.string().regex(/^[0-9a-f]{24}$/),
});

/** A cursor this API made, or a 400: a made-up one never reaches the store. */
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const parsed = cursorSchema.safeParse(
      JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")),
    );
    if (parsed.success) return { createdAt: new Date(parsed.data.at), id: parsed.data.id };
  } catch {
    // Not JSON: refused below like any other cursor Jasper did not make.
  }
  throw new InvalidInputError("cursor: malformed", [{ path: "cursor", message: "malformed" }]);
}

type Deps = Pick<BillingApiDeps, "learnings" | "audit"> & AuthDeps;

/**
 * /organizations/:org/learnings: what the team taught the reviewer. Listing takes any key of
 * the org or an org admin's GitHub token (as billing reads); deleting takes write access (a
 * write key or an org admin's token), as teaching takes write access to a repository, and is
 * audited with what the learning said. Only ever the org's own learnings.
 */
export function learningRoutes(api: ApiInstance, deps: Deps): void {
  const common = { tags: ["learnings"], security: BEARER_SECURITY };

  api.get(
    "/organizations/:org/learnings",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        ...common,
        summary: "Learnings: what the team taught the reviewer, newest first, searchable",
        params: orgParams,
        querystring: querySchema,
        response: { 200: pageSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { account } = callerOf(request);
      const q = request.query;
      const limit = q.limit ?? DEFAULT_LEARNINGS_PAGE;
      const rows = await deps.learnings.list(account.id, {
        search: q.search,
        before: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return {
        learnings: page.map(present),
        nextCursor: rows.length > limit ? encodeLearningCursor(page[page.length - 1]!) : null,
      };
    },
  );

  api.delete(
    "/organizations/:org/learnings/:id",
    {
      preParsing: requireOrgAccess(deps, "write"),
      schema: {
        ...common,
        summary:
          "Delete a learning (a write key or an org admin's GitHub token); audited with its text",
        params: learningParams,
        response: {
          204: z.undefined().describe("Deleted"),
          ...commonErrors,
          403: errorResponse("`insufficient_scope`: a read key cannot do this"),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const removed = await deleteLearning(
        deps,
        caller.account.id,
        adminOf(caller),
        request.params.id,
      );
      if (!removed) throw notFound();
      request.log.info({ accountId: caller.account.id, learning: removed.id }, "learning deleted");
      return reply.code(204).send();
    },
  );
}
