/**
 * The operator API, under /api/operator/v1, for the people who run Jasper: the same use cases
 * as `jasper-admin` (src/operators). Registered only when OPERATOR_TOKEN is set: without it
 * these routes do not exist (404, like any unknown path). Every request carries
 * `Authorization: Bearer <OPERATOR_TOKEN>`, compared in constant time; anything else is a
 * 401. The token is never logged: Fastify's request log has no headers, and nothing here
 * prints one.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import { MAX_AUDIT_PAGE } from "../audit/audit-log.js";
import { AUDIT_ACTIONS } from "../audit/types.js";
import { findAccount } from "../operators/find-account.js";
import type { Operator } from "../operators/operator.js";
import type { OperatorWriteResult } from "../operators/grant-bonus.js";
import type { Operators } from "../operators/operators.js";
import { LIST_LIMIT } from "../operators/list-accounts.js";
import {
  presentAccountLine,
  presentAccountView,
  presentAuditEntry,
  presentLedgerEntry,
} from "../operators/present-operator.js";
import type { AccountStore } from "../accounts/account-store.js";
import type { AuditLog } from "../audit/audit-log.js";
import { readCredential } from "./auth/credential.js";
import { ApiError, apiErrorHandler, apiNotFoundHandler, notFound, unauthorized } from "./errors.js";
import { instant, listFilter } from "./routes/query-params.js";

export const OPERATOR_PREFIX = "/api/operator/v1";

export interface OperatorApiDeps {
  token: string;
  operators: Operators;
  accounts: Pick<AccountStore, "get" | "findByLogin">;
  audit: Pick<AuditLog, "list">;
}

const accountParams = z.strictObject({ account: z.string().min(1).max(100) });
const operatorName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\x20-\x7e]+$/, "must be printable ASCII");

/**
 * Required over HTTP: a request that timed out or met a proxy's 502 is retried by its caller,
 * and without a key of the caller's the retry would be a second grant. (The CLI, run by a
 * person, still makes one up when none is given.)
 */
const REQUIRED_KEY = z.string({
  error: "is required: the same key makes a retried request write once",
});

const grantBody = z.strictObject({
  amount: z.number(),
  reason: z.string({ error: "is required" }),
  expiresAt: instant.optional(),
  idempotencyKey: REQUIRED_KEY,
});
const adjustBody = z.strictObject({
  amount: z.number(),
  bucket: z.enum(["free", "bonus", "purchased"]).optional(),
  reason: z.string({ error: "is required" }),
  idempotencyKey: REQUIRED_KEY,
});

/** The use case checks the values (src/operators/enterprise-plan.ts); here only the shape. */
const enterpriseBody = z.strictObject({
  name: z.string().optional(),
  creditsPerMonth: z.number(),
  priceCents: z.number(),
  daysUntilDue: z.number(),
  reason: z.string({ error: "is required" }),
});

/** SHA-256 first, so both sides of timingSafeEqual have one length whatever was sent. */
const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function operatorApi(deps: OperatorApiDeps): FastifyPluginAsync {
  const expected = digest(deps.token);
  const authorize = async (request: FastifyRequest): Promise<void> => {
    const credential = readCredential(request.headers.authorization);
    if (!credential.ok || !timingSafeEqual(digest(credential.token), expected)) {
      throw unauthorized("Authorization: Bearer <OPERATOR_TOKEN> is required");
    }
  };
  /** Who acts: the X-Operator header (a name for the audit log), else "operator-api". */
  const operatorOf = (request: FastifyRequest): Operator => {
    const given = request.headers["x-operator"];
    const parsed = operatorName.safeParse(typeof given === "string" ? given : "operator-api");
    if (!parsed.success)
      throw new ApiError(
        400,
        "invalid_request",
        "X-Operator: must be a printable name of at most 100 characters",
      );
    return { name: parsed.data, interface: "operator_api" };
  };

  return async (server) => {
    await server.register(
      async (scope) => {
        scope.setValidatorCompiler(validatorCompiler);
        scope.setSerializerCompiler(serializerCompiler);
        scope.setErrorHandler(apiErrorHandler);
        scope.setNotFoundHandler(apiNotFoundHandler);
        // Before the body is read or anything validated: a stranger learns nothing.
        scope.addHook("onRequest", authorize);
        const api = scope.withTypeProvider<ZodTypeProvider>();

        const written = (result: OperatorWriteResult, reply: { code(n: number): unknown }) => {
          if (result.status === "unknown_account") throw notFound();
          if (result.status === "key_reused") {
            throw new ApiError(
              409,
              "idempotency_key_reused",
              "This idempotency key was used for another grant or adjustment; nothing was written",
            );
          }
          reply.code(result.status === "created" ? 201 : 200);
          return {
            status: result.status,
            account: result.accountLogin,
            entry: presentLedgerEntry(result.entry),
          };
        };

        // PUT: the plan's terms as a whole, set again to the same terms by a retry.
        api.put(
          "/accounts/:account/enterprise-plan",
          { bodyLimit: 4096, schema: { params: accountParams, body: enterpriseBody } },
          async (request) => {
            const result = await deps.operators.enterprisePlan(operatorOf(request), {
              account: request.params.account,
              ...request.body,
            });
            if (result.status === "unknown_account") throw notFound();
            if (result.status === "has_subscription") {
              throw new ApiError(
                409,
                "has_subscription",
                `The account holds the Stripe subscription ${result.subscription}: cancel it first; nothing was written`,
              );
            }
            const s = result.state;
            return {
              status: "set",
              account: result.accountLogin,
              plan: s.plan,
              terms: s.custom,
              periodStart: s.currentPeriodStart.toISOString(),
              periodEnd: s.currentPeriodEnd.toISOString(),
              thisMonth: result.grant?.status ?? null,
            };
          },
        );

        api.post(
          "/accounts/:account/grants",
          { bodyLimit: 4096, schema: { params: accountParams, body: grantBody } },
          async (request, reply) =>
            written(
              await deps.operators.grantBonus(operatorOf(request), {
                account: request.params.account,
                ...request.body,
              }),
              reply,
            ),
        );

        api.post(
          "/accounts/:account/adjustments",
          { bodyLimit: 4096, schema: { params: accountParams, body: adjustBody } },
          async (request, reply) =>
            written(
              await deps.operators.adjustBalance(operatorOf(request), {
                account: request.params.account,
                ...request.body,
              }),
              reply,
            ),
        );

        api.get("/accounts/:account", { schema: { params: accountParams } }, async (request) => {
          const view = await deps.operators.showAccount(request.params.account);
          if (!view) throw notFound();
          return presentAccountView(view);
        });

        api.get(
          "/accounts",
          {
            schema: {
              querystring: z.strictObject({
                by: z.enum(["balance", "activity"]).default("balance"),
                limit: z.coerce
                  .number()
                  .int()
                  .min(1)
                  .max(LIST_LIMIT.max)
                  .default(LIST_LIMIT.default),
                // The `next` of the page before; checked by the use case (a 400 when it is not one).
                cursor: z.string().max(100).optional(),
              }),
            },
          },
          async (request) => {
            const { by, limit, cursor } = request.query;
            const page = await deps.operators.listAccounts(by, limit, cursor);
            return { accounts: page.lines.map(presentAccountLine), next: page.next };
          },
        );

        api.post("/listings/repair", async () => ({
          repair: await deps.operators.repairListings(),
        }));

        api.post(
          "/accounts/:account/sweep",
          {
            schema: {
              params: accountParams,
              querystring: z.strictObject({
                staleMinutes: z.coerce.number().int().min(0).max(10_080).optional(),
              }),
            },
          },
          async (request) => {
            const minutes = request.query.staleMinutes;
            const report = await deps.operators.sweepAccount(
              request.params.account,
              minutes === undefined ? undefined : minutes * 60_000,
            );
            if (!report) throw notFound();
            return { sweep: report };
          },
        );

        api.get(
          "/accounts/:account/audit-log",
          {
            schema: {
              params: accountParams,
              querystring: z.strictObject({
                action: listFilter(AUDIT_ACTIONS).optional(),
                from: instant.optional(),
                to: instant.optional(),
                cursor: z.string().min(1).max(200).optional(),
                limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).optional(),
              }),
            },
          },
          async (request) => {
            const account = await findAccount(deps.accounts, request.params.account);
            if (!account) throw notFound();
            const q = request.query;
            const page = await deps.audit.list(account.id, {
              actions: q.action,
              from: q.from,
              to: q.to,
              cursor: q.cursor,
              limit: q.limit,
            });
            return { entries: page.entries.map(presentAuditEntry), nextCursor: page.nextCursor };
          },
        );

        api.get("/ledger/verify", async () => deps.operators.verifyLedger());
      },
      { prefix: OPERATOR_PREFIX },
    );
  };
}
