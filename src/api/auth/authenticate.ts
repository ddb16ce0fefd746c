/**
 * Who is calling, and may they do this to the organization in the path. `Authorization:
 * Bearer` carries either a Jasper API key (`jsp_...`, bound to one account, with a scope) or
 * a GitHub token (whose user GitHub must confirm as an admin of the org, or as the user
 * account itself).
 *
 * 401: no credential, a malformed one, or one nobody accepts (unknown or revoked key, a token
 * GitHub refuses). 404: a good credential that does not grant this org, exactly like an org
 * that does not exist, so nobody learns which orgs use Jasper. 403: the org's own credential,
 * but not enough for this route (see Access). 429: this address failed to authenticate too
 * often lately (failed-auth-limit.ts).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Account } from "../../accounts/types.js";
import { toAccountId } from "../../accounts/types.js";
import type { AccountStore } from "../../accounts/account-store.js";
import {
  ApiError,
  githubTokenRequired,
  insufficientScope,
  notFound,
  unauthorized,
} from "../errors.js";
import { hashApiKey, isWellFormedApiKey, looksLikeApiKey } from "../../accounts/api-keys.js";
import {
  KEY_USE_RESOLUTION_MS,
  type ApiKey,
  type ApiKeyStore,
} from "../../accounts/api-key-store.js";
import { readCredential } from "./credential.js";
import { csrfHolds, sessionCredential, sessionUncheckable } from "./session-credential.js";
import type { FailedAuthLimit } from "./failed-auth-limit.js";
import type { AccountRef, GitHubAuth, GitHubUser } from "./github-auth.js";

export type Caller =
  | { kind: "api_key"; account: Account; key: ApiKey }
  | { kind: "github"; account: Account; user: GitHubUser };

export interface AuthDeps {
  accounts: Pick<AccountStore, "findByLogin">;
  apiKeys: Pick<ApiKeyStore, "findByHash">;
  github: GitHubAuth;
  failedAuth: FailedAuthLimit;
}

/**
 * What a route needs, beyond being the org's own credential:
 * - "read": any API key of the org, or an org admin's GitHub token;
 * - "write" (buying credits): a write key, or an org admin's GitHub token;
 * - "admin" (settings, API keys): an org admin's GitHub token. No key, whatever its scope,
 *   can redirect the billing emails, turn them off, change how reviews are charged or mint
 *   keys: a key leaked from CI must not be able to hide its own abuse.
 */
export type Access = "read" | "write" | "admin";

/** GitHub's token alphabet (classic, fine-grained, app tokens); anything else is refused here. */
const GITHUB_TOKEN = /^[A-Za-z0-9_.-]{1,255}$/;
/** GitHub logins, and a little more (Enterprise managed users have an underscore). */
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** Stands for "no account of ours": GitHub's ids start at 1, so no org's id is this. */
const NO_ACCOUNT = toAccountId(0);

const callers = new WeakMap<FastifyRequest, Caller>();

/**
 * A route's preParsing hook: resolves the caller for `:org`, or answers 401/403/404/429. It
 * runs after the rate limit (onRequest) and before the body is read or anything validated,
 * so a stranger's request gets a 401 whatever its body, and costs no parsing.
 */
export function requireOrgAccess(deps: AuthDeps, access: Access) {
  return async (request: FastifyRequest): Promise<void> => {
    await deps.failedAuth.check(request);
    try {
      callers.set(request, await authenticate(deps, access, request));
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 401) await deps.failedAuth.record(request);
      throw err;
    }
  };
}

/** The caller requireOrgAccess found; a route without that hook calling this is a bug. */
export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error(`bug: ${request.routeOptions.url} has no requireOrgAccess hook`);
  return caller;
}

/**
 * An onResponse hook: remembers when an API key was last used successfully. The store writes
 * at most once a minute per key; this skips even asking it when the key, as read for this
 * request, was used within that minute.
 */
export function recordKeyUse(
  apiKeys: Pick<ApiKeyStore, "markUsed">,
  now: () => Date = () => new Date(),
) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const caller = callers.get(request);
    if (caller?.kind !== "api_key" || reply.statusCode >= 400) return;
    const at = now();
    const last = caller.key.lastUsedAt;
    if (last && at.getTime() - last.getTime() < KEY_USE_RESOLUTION_MS) return;
    await apiKeys.markUsed(caller.account.id, caller.key.id, at).catch((err: unknown) => {
      request.log.warn({ err, keyId: caller.key.id }, "could not record API key use");
    });
  };
}

/**
 * The request's token: `Authorization: Bearer` when sent (it wins, as an API client expects),
 * else the dashboard session's GitHub token, once its CSRF token checks out. A session whose
 * revocation Redis could not check is refused with a 503, never taken on trust.
 */
export function requestToken(request: FastifyRequest): string {
  const credential = readCredential(request.headers.authorization);
  if (credential.ok) return credential.token;
  const session = credential.reason === "missing" ? sessionCredential(request) : null;
  if (session) {
    if (!csrfHolds(request, session)) {
      throw new ApiError(403, "csrf_failed", "Reload the page and try again (CSRF token missing)");
    }
    return session.token;
  }
  if (credential.reason === "missing" && sessionUncheckable(request)) {
    throw new ApiError(
      503,
      "session_unavailable",
      "Your sign-in could not be checked just now; retry in a moment",
    );
  }
  throw unauthorized(
    credential.reason === "missing"
      ? "Authorization: Bearer <token> is required"
      : "Authorization must be: Bearer <token>",
  );
}

async function authenticate(
  deps: AuthDeps,
  access: Access,
  request: FastifyRequest,
): Promise<Caller> {
  const token = requestToken(request);
  const org = (request.params as { org?: unknown }).org;
  const login = typeof org === "string" && LOGIN.test(org) ? org : null;

  if (looksLikeApiKey(token)) {
    const key = isWellFormedApiKey(token) ? await deps.apiKeys.findByHash(hashApiKey(token)) : null;
    if (!key || key.revokedAt) throw unauthorized("Unknown or revoked API key");
    const account = login ? await deps.accounts.findByLogin(login) : null;
    if (!account || account.id !== key.accountId) throw notFound();
    if (access === "admin") throw githubTokenRequired();
    if (access === "write" && key.scope !== "write") throw insufficientScope();
    return { kind: "api_key", account, key };
  }

  if (!GITHUB_TOKEN.test(token)) throw unauthorized("Malformed token");
  // The token is checked before the org is looked up: otherwise a bad token would get a 404
  // for unknown orgs and a 401 for known ones, telling anyone which orgs use Jasper.
  const user = await deps.github.identify(token);
  if (!user) throw unauthorized("GitHub did not accept the token");
  // Not a login GitHub could have: nobody can learn anything from it, so GitHub is not asked.
  if (!login) throw notFound();
  const account = await deps.accounts.findByLogin(login);
  const granted = await githubGrants(deps.github, token, login, account);
  if (!account || !granted) throw notFound();
  return { kind: "github", account, user };
}

/**
 * Whether an identified token may see `account`, the one Jasper holds under `login` (null:
 * none). GitHub is asked the same question whatever we hold: the token's membership of an org
 * named `login` (cached per token and login). So a 404 costs the same for an org that uses
 * Jasper as for one that does not, and for a user account as for an org; the answer is only
 * used for an org we hold. A user account is decided by identity, which identify has cached
 * already, so it costs no further call.
 */
async function githubGrants(
  github: GitHubAuth,
  token: string,
  login: string,
  account: Account | null,
): Promise<boolean> {
  const asOrg: AccountRef =
    account?.type === "Organization"
      ? account
      : { id: NO_ACCOUNT, login: account?.login ?? login, type: "Organization" };
  const orgAdmin = await github.canAdminister(token, asOrg);
  if (!account) return false;
  return account.type === "Organization" ? orgAdmin : github.canAdminister(token, account);
}
