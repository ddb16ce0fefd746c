import { z } from "zod";
import { looksLikeApiKey } from "../../accounts/api-keys.js";
import type { AccountStore } from "../../accounts/account-store.js";
import type { Account } from "../../accounts/types.js";
import type { AuditLog } from "../../audit/audit-log.js";
import { recordSignIn } from "../../audit/record-sign-in.js";
import type { AccountRef, GitHubUser } from "../auth/github-auth.js";
import { requestToken, type AuthDeps } from "../auth/authenticate.js";
import { sessionCredential } from "../auth/session-credential.js";
import type { FastifyRequest } from "fastify";
import type { ApiInstance } from "../deps.js";
import { commonErrors, errorResponse, githubTokenRequired, unauthorized } from "../errors.js";
import { BEARER_SECURITY } from "../schemas.js";

const meSchema = z
  .object({
    user: z.object({ id: z.number().int(), login: z.string() }),
    accounts: z
      .array(z.object({ login: z.string(), type: z.enum(["Organization", "User"]) }))
      .describe("Installations of Jasper whose billing this user may see (org admin, or self)"),
    csrfToken: z
      .string()
      .nullable()
      .describe("Signed in with the dashboard: send it as X-CSRF-Token on every change"),
  })
  .meta({ id: "Me" });

const statusSchema = z
  .object({
    signIn: z.enum(["available", "not_configured"]),
    missingSettings: z.array(z.string()).describe("What the operator must set for sign-in"),
    signedIn: z
      .boolean()
      .describe(
        "Whether this browser holds a dashboard sign-in (GET /me then says who): the dashboard asks here, so a signed-out visit makes no failing request",
      ),
    installUrl: z
      .string()
      .nullable()
      .describe("Where an organization's admin installs the App on GitHub"),
  })
  .meta({ id: "DashboardStatus" });

type Deps = Pick<AuthDeps, "github" | "failedAuth"> & {
  accounts: Pick<AccountStore, "get" | "findByLogin" | "upsert">;
  audit: Pick<AuditLog, "record">;
  /** The settings the dashboard's sign-in lacks (empty: it is set up). */
  missingSignInSettings: readonly string[];
  /** The App's installation page on GitHub; null when not known. */
  installUrl: string | null;
};

/**
 * GET /me: who is calling (a GitHub token or the dashboard session, not an API key) and the
 * accounts they may see; it answers 401 to a caller it cannot identify, as every route does.
 * GET /dashboard/status (public): whether sign-in is set up, and whether this browser is
 * signed in, so the dashboard asks /me only then (a 401 is a console error in a browser).
 */
export function meRoutes(api: ApiInstance, deps: Deps): void {
  api.get(
    "/dashboard/status",
    {
      schema: {
        tags: ["dashboard"],
        summary: "Whether the dashboard's sign-in is set up (public)",
        response: { 200: statusSchema },
      },
    },
    async (request) => ({
      signIn:
        deps.missingSignInSettings.length === 0
          ? ("available" as const)
          : ("not_configured" as const),
      missingSettings: [...deps.missingSignInSettings],
      signedIn: sessionCredential(request) !== null,
      installUrl: deps.installUrl,
    }),
  );

  api.get(
    "/me",
    {
      preParsing: async (request) => {
        await deps.failedAuth.check(request);
      },
      schema: {
        tags: ["dashboard"],
        summary: "The signed-in user and the accounts whose billing they may see",
        security: BEARER_SECURITY,
        response: {
          200: meSchema,
          401: commonErrors[401],
          403: errorResponse("`github_token_required`: an API key has no user"),
          429: commonErrors[429],
          503: commonErrors[503],
        },
      },
    },
    async (request) => {
      const token = requestToken(request);
      if (looksLikeApiKey(token)) throw githubTokenRequired();
      const user = await deps.github.identify(token);
      if (!user) {
        await deps.failedAuth.record(request);
        throw unauthorized("GitHub did not accept the token");
      }
      const visible: Account[] = [];
      for (const installation of await deps.github.installations(token)) {
        const account = await accountOf(deps.accounts, installation);
        if (account && (await deps.github.canAdminister(token, account))) visible.push(account);
      }
      await auditSignIn(deps.audit, request, token, user, visible);
      return {
        user: { id: user.id, login: user.login },
        accounts: visible.map((a) => ({ login: a.login, type: a.type })),
        csrfToken: sessionCredential(request)?.csrf ?? null,
      };
    },
  );
}

/**
 * A dashboard sign-in, in the audit log of each account the user can see: here, where those
 * accounts are known, once per session (recordSignIn's key). A GitHub token in Authorization
 * is an API client, not a sign-in. Recording never fails the request: it is logged instead.
 */
async function auditSignIn(
  audit: Pick<AuditLog, "record">,
  request: FastifyRequest,
  token: string,
  user: GitHubUser,
  accounts: readonly Account[],
): Promise<void> {
  const session = sessionCredential(request);
  if (!session || session.token !== token) return;
  const sessionId = session.sid;
  await Promise.all(
    accounts.map((account) =>
      recordSignIn(audit, {
        accountId: account.id,
        user: { id: user.id, login: user.login },
        sessionId,
      }).catch((err: unknown) => {
        request.log.warn({ err, accountId: account.id }, "audit: sign-in not recorded");
      }),
    ),
  );
}

/**
 * The account of an installation the user can see, by GitHub's account id: an account renamed
 * on GitHub is found whatever login Jasper still holds, and takes the login GitHub gives it
 * now (GitHub's own pairing of id and login), so its pages answer under its new name. An
 * installation whose id Jasper does not hold is looked up by login (the id check in
 * canAdminister keeps a login that changed hands from granting anything).
 */
async function accountOf(
  accounts: Deps["accounts"],
  installation: AccountRef,
): Promise<Account | null> {
  const byId = await accounts.get(installation.id);
  if (!byId) return accounts.findByLogin(installation.login);
  if (byId.login === installation.login) return byId;
  return accounts.upsert({ id: byId.id, login: installation.login, type: byId.type });
}
