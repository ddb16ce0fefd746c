/**
 * GitHub's OAuth web flow and the few REST endpoints the dashboard uses, faked on 127.0.0.1,
 * shaped like GitHub Enterprise Server (the app is pointed at it with GHE_HOST, GHE_PROTOCOL):
 * /login/oauth/authorize signs in `nextUser` at once, /login/oauth/access_token trades the
 * code for that user's token, /api/v3/user, /user/memberships/orgs/{org}, /user/installations,
 * and the token revocation sign-out asks for (recorded in `state.revoked`).
 */
import { startFake } from "./http-fake.js";

export interface FakeOrg {
  id: number;
  login: string;
}

export interface FakeUser {
  id: number;
  login: string;
  /** Orgs by login: this user's role there. */
  roles: Record<string, "admin" | "member">;
}

export async function startFakeGitHub(orgs: FakeOrg[], users: FakeUser[]) {
  const codes = new Map<string, FakeUser>();
  const tokenOf = (u: FakeUser) => `gho_fake_${u.login}`;
  const byToken = (header: string | undefined) =>
    users.find((u) => header === `token ${tokenOf(u)}` || header === `Bearer ${tokenOf(u)}`);
  const state = { nextUser: users[0]!, exchanged: 0, revoked: [] as string[] };

  const fake = await startFake((req, url, body) => {
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const code = `code-${codes.size + 1}`;
      codes.set(code, state.nextUser);
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      return { location: back.toString() };
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const params = JSON.parse(body) as { code?: string; client_secret?: string };
      const user = params.code ? codes.get(params.code) : undefined;
      codes.delete(params.code ?? "");
      if (!user || params.client_secret !== "fake-client-secret") {
        return { json: { error: "bad_verification_code" } };
      }
      state.exchanged++;
      return { json: { access_token: tokenOf(user), token_type: "bearer", scope: "" } };
    }
    const revocation = /^\/api\/v3\/applications\/([^/]+)\/token$/.exec(url.pathname);
    if (req.method === "DELETE" && revocation) {
      const basic = Buffer.from(`${revocation[1]}:fake-client-secret`).toString("base64");
      const [scheme, credentials] = (req.headers.authorization ?? "").split(" ");
      if (scheme?.toLowerCase() !== "basic" || credentials !== basic) {
        return { status: 401, json: { message: "Bad credentials" } };
      }
      state.revoked.push((JSON.parse(body) as { access_token?: string }).access_token ?? "");
      return { status: 204 };
    }
    const user = byToken(req.headers.authorization);
    if (url.pathname.startsWith("/api/v3/") && !user) {
      return { status: 401, json: { message: "Bad credentials" } };
    }
    if (!user) return null;
    if (url.pathname === "/api/v3/user") return { json: { id: user.id, login: user.login } };
    const membership = /^\/api\/v3\/user\/memberships\/orgs\/([^/]+)$/.exec(url.pathname);
    if (membership) {
      const org = orgs.find((o) => o.login.toLowerCase() === membership[1]!.toLowerCase());
      const role = org ? user.roles[org.login] : undefined;
      if (!org || !role) return { status: 404, json: { message: "Not Found" } };
      return { json: { state: "active", role, organization: { id: org.id, login: org.login } } };
    }
    if (url.pathname === "/api/v3/user/installations") {
      const visible = orgs.filter((o) => user.roles[o.login]);
      return {
        json: {
          total_count: visible.length,
          installations: visible.map((o) => ({
            id: o.id * 10,
            account: { id: o.id, login: o.login, type: "Organization" },
          })),
        },
      };
    }
    return null;
  });
  return { ...fake, state, host: new URL(fake.url).host };
}
