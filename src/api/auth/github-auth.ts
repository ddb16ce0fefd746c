/**
 * Whether a GitHub token may see an account's billing: GitHub itself is asked, with the
 * caller's token. Answers are cached briefly (keyed by the token's SHA-256, never the token),
 * so a dashboard's burst of requests costs GitHub one or two calls. The token is never logged:
 * failures are reduced to a status before anything can print them.
 */
import { request as octokitRequest } from "@octokit/request";
import { toAccountId, toAccountType, type Account } from "../../accounts/types.js";
import { GitHubUnavailableError } from "../errors.js";
import { sha256 } from "../../accounts/api-keys.js";
import { TtlCache } from "./ttl-cache.js";

export interface GitHubUser {
  id: number;
  login: string;
}

export type AccountRef = Pick<Account, "id" | "login" | "type">;

export interface GitHubAuth {
  /** The token's user; null when GitHub does not accept the token. */
  identify(token: string): Promise<GitHubUser | null>;
  /**
   * True when the token's user is an active admin of the organization, or is the user account
   * itself. Throws GitHubUnavailableError when GitHub cannot answer.
   */
  canAdminister(token: string, account: AccountRef): Promise<boolean>;
  /**
   * The installations of this App the token's user can access (GitHub answers this only for
   * a user token of this App: the dashboard's sign-in). At most the first 100.
   */
  installations(token: string): Promise<AccountRef[]>;
}

export interface GitHubAuthOptions {
  /** REST API root; default https://api.github.com. GitHub Enterprise: https://HOST/api/v3. */
  baseUrl?: string;
  /** How long an answer is reused, in ms; default 60 000. A revoked admin keeps access that long. */
  ttlMs?: number;
  /** Answers kept at most; default 1 000 (the oldest go first). */
  maxEntries?: number;
  /** Per GitHub request, in ms; default 10 000. */
  timeoutMs?: number;
  /** For tests. */
  now?: () => number;
}

interface Membership {
  state?: string;
  role?: string;
  organization?: { id?: number };
}

export function createGitHubAuth(options: GitHubAuthOptions = {}): GitHubAuth {
  const ttl = options.ttlMs ?? 60_000;
  const max = options.maxEntries ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const users = new TtlCache<GitHubUser | null>(ttl, max, options.now);
  const adminOf = new TtlCache<number | null>(ttl, max, options.now);
  const github = octokitRequest.defaults({
    baseUrl: (options.baseUrl ?? "https://api.github.com").replace(/\/+$/, ""),
    headers: { "user-agent": "jasper-billing-api", "x-github-api-version": "2022-11-28" },
  });
  const call = <T>(route: string, token: string, params: Record<string, string> = {}) =>
    github(route, {
      ...params,
      headers: { authorization: `token ${token}` },
      request: { signal: AbortSignal.timeout(timeoutMs) },
    }).then((res) => res.data as T);

  const identify = (token: string) =>
    users.get(sha256(token), async () => {
      try {
        const user = await call<Partial<GitHubUser>>("GET /user", token);
        if (typeof user.id !== "number" || typeof user.login !== "string") return null;
        return { id: user.id, login: user.login };
      } catch (err) {
        // 401: a bad or expired token; 403: one GitHub will not serve this endpoint.
        if (refused(err, [401, 403])) return null;
        throw new GitHubUnavailableError();
      }
    });

  /**
   * The id of the org GitHub calls `login` now, when the token's user is an active admin of
   * it; else null. Cached by login (GitHub's are case-insensitive), not by our account id:
   * the same login asked twice costs the same whether or not Jasper holds an account for it.
   */
  const adminOrgId = (token: string, login: string) =>
    adminOf.get(`${sha256(token)}:${login.toLowerCase()}`, async () => {
      try {
        const m = await call<Membership>("GET /user/memberships/orgs/{org}", token, { org: login });
        const id = m.organization?.id;
        return m.state === "active" && m.role === "admin" && typeof id === "number" ? id : null;
      } catch (err) {
        // 404: not a member; 403: the token may not read memberships (scope, SSO); 401: bad token.
        if (refused(err, [401, 403, 404])) return null;
        throw new GitHubUnavailableError();
      }
    });

  const installations = async (token: string): Promise<AccountRef[]> => {
    try {
      const page = await call<{ installations?: { account?: Partial<AccountRef> | null }[] }>(
        "GET /user/installations",
        token,
        { per_page: "100" },
      );
      return (page.installations ?? []).flatMap(({ account: a }) =>
        a && typeof a.id === "number" && typeof a.login === "string"
          ? [
              {
                id: toAccountId(a.id),
                login: a.login,
                type: toAccountType(String(a.type)),
              } as AccountRef,
            ]
          : [],
      );
    } catch (err) {
      if (refused(err, [401, 403])) return [];
      throw new GitHubUnavailableError();
    }
  };

  return {
    identify,
    installations,
    async canAdminister(token, account) {
      if (account.type === "User") {
        // The same GitHub id (and so the same person, whatever the login is now).
        const user = await identify(token);
        return user !== null && user.id === account.id;
      }
      // The id check: after a rename, the login we hold may belong to another org by now.
      return (await adminOrgId(token, account.login)) === account.id;
    },
  };
}

/**
 * A definite "no" from GitHub. A 403 or 429 that is GitHub's rate limit is not one: that is
 * "cannot tell now", and must not be cached as a refusal.
 */
function refused(err: unknown, statuses: number[]): boolean {
  const e = err as { status?: unknown; response?: { headers?: Record<string, unknown> } };
  if (typeof e?.status !== "number" || !statuses.includes(e.status)) return false;
  return String(e.response?.headers?.["x-ratelimit-remaining"] ?? "") !== "0";
}
