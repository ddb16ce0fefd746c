import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import type { AccountRef, GitHubUser } from "../../src/api/auth/github-auth.js";
import { SIGN_IN_ENV, cookieOf, expectTokenDeletion } from "../support/dashboard-sign-in.js";
import { FakeGitHubAuth } from "../support/fake-github-auth.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";
import { captureLog, type CapturedLog } from "../support/log-capture.js";

// Every call to GitHub here is one the test fakes (nock); Redis is not HTTP.
beforeEach(() => nock.disableNetConnect());
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await closeHarnesses();
});

/** A token whose user administers both of the harness's orgs (the fake's own see one each). */
const OWNER_OF_BOTH = "owner-of-both";
const BOTH: AccountRef[] = [
  { id: toAccountId(101), login: "Acme-Corp", type: "Organization" },
  { id: toAccountId(202), login: "Globex", type: "Organization" },
];
class TwoOrgGitHub extends FakeGitHubAuth {
  override async identify(token: string): Promise<GitHubUser | null> {
    return token === OWNER_OF_BOTH ? { id: 3, login: "owner" } : super.identify(token);
  }
  override async installations(token: string): Promise<AccountRef[]> {
    return token === OWNER_OF_BOTH ? BOTH : super.installations(token);
  }
  override async canAdminister(token: string, account: AccountRef): Promise<boolean> {
    return token === OWNER_OF_BOTH || super.canAdminister(token, account);
  }
}

describe("dashboard sign-in", () => {
  let h: ApiHarness;
  let logs: CapturedLog;
  beforeEach(async () => {
    logs = captureLog("debug");
    h = await createApiHarness({ env: SIGN_IN_ENV, log: logs.log, github: new TwoOrgGitHub() });
  });

  /** Runs the OAuth web flow with GitHub's token endpoint faked; returns the session cookie. */
  async function signIn(token = "admin-acme-corp"): Promise<string> {
    const start = await h.server.inject({ method: "GET", url: "/auth/github/sign-in" });
    expect(start.statusCode).toBe(302);
    const authorize = new URL(start.headers.location as string);
    expect(authorize.origin + authorize.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(authorize.searchParams.get("client_id")).toBe(SIGN_IN_ENV.GITHUB_CLIENT_ID);
    const state = authorize.searchParams.get("state")!;
    const started = cookieOf(start.headers["set-cookie"]);
    expect(String(start.headers["set-cookie"])).toMatch(/HttpOnly/i);
    expect(String(start.headers["set-cookie"])).toMatch(/SameSite=Lax/i);
    expect(String(start.headers["set-cookie"])).toMatch(/Secure/i);

    nock("https://github.com")
      .post("/login/oauth/access_token", (body) => body.code === "the-code")
      .reply(200, { access_token: token, token_type: "bearer", scope: "" });
    const back = await h.server.inject({
      method: "GET",
      url: `/auth/github/callback?code=the-code&state=${state}`,
      headers: { cookie: started },
    });
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe("/billing");
    const cookie = cookieOf(back.headers["set-cookie"]);
    expect(cookie).not.toContain(token);
    return cookie;
  }

  it("refuses a callback whose state does not match", async () => {
    const start = await h.server.inject({ method: "GET", url: "/auth/github/sign-in" });
    const res = await h.server.inject({
      method: "GET",
      url: "/auth/github/callback?code=the-code&state=forged",
      headers: { cookie: cookieOf(start.headers["set-cookie"]) },
    });
    expect(res.headers.location).toBe("/billing?signin=failed");
  });

  it("signs in; the session reads the API; changes need the CSRF token; sign-out ends it", async () => {
    const cookie = await signIn();
    const me = await h.server.inject({ method: "GET", url: "/api/v1/me", headers: { cookie } });
    expect(me.statusCode).toBe(200);
    const body = me.json();
    expect(body.user.login).toBe("admin-of-acme-corp");
    expect(body.accounts).toEqual([{ login: "Acme-Corp", type: "Organization" }]);
    expect(body.csrfToken).toEqual(expect.any(String));
    expect(me.body).not.toContain("admin-acme-corp");

    const billing = await h.server.inject({
      method: "GET",
      url: "/api/v1/organizations/Acme-Corp/billing",
      headers: { cookie },
    });
    expect(billing.json().balance).toBe(3);
    const other = await h.server.inject({
      method: "GET",
      url: "/api/v1/organizations/Globex/billing",
      headers: { cookie },
    });
    expect(other.statusCode).toBe(404);

    const put = (headers: Record<string, string>) =>
      h.server.inject({
        method: "PUT",
        url: "/api/v1/organizations/Acme-Corp/billing/settings",
        headers: { cookie, "content-type": "application/json", ...headers },
        payload: { lowBalanceEmails: false },
      });
    expect((await put({})).statusCode).toBe(403);
    expect((await put({ "x-csrf-token": "wrong" })).statusCode).toBe(403);
    expect((await put({ "x-csrf-token": body.csrfToken })).statusCode).toBe(200);

    const deletion = expectTokenDeletion("admin-acme-corp");
    const out = await h.server.inject({
      method: "POST",
      url: "/auth/sign-out",
      headers: { cookie, "x-csrf-token": body.csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect(deletion.isDone()).toBe(true);
    const after = await h.server.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: { cookie: cookieOf(out.headers["set-cookie"]) },
    });
    expect(after.statusCode).toBe(401);

    // Nothing secret reached the log, even at debug level: not the token, the one-time code,
    // the client secret or the session cookie.
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of ["admin-acme-corp", "the-code", SIGN_IN_ENV.GITHUB_CLIENT_SECRET]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain(cookie.split("=")[1]!.slice(0, 40));
  });

  const me = (headers: Record<string, string>) =>
    h.server.inject({ method: "GET", url: "/api/v1/me", headers });
  /** The sign-ins in `org`'s audit log, as its admin reads them. */
  const signIns = async (org: string) => {
    const res = await h.server.inject({
      method: "GET",
      url: `/api/v1/organizations/${org}/audit-log?action=sign_in`,
      headers: h.auth(`admin-${org.toLowerCase()}`),
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { entries: { actor: unknown; interface: string }[] }).entries;
  };

  it("records a sign-in once per session in each account the user sees, and nowhere else", async () => {
    await h.store.accounts.upsert({ id: toAccountId(303), login: "Initech", type: "Organization" });
    const cookie = await signIn(OWNER_OF_BOTH);
    for (let i = 0; i < 2; i++) expect((await me({ cookie })).statusCode).toBe(200);
    const owner = { kind: "github_user", id: 3, login: "owner" };
    for (const org of ["Acme-Corp", "Globex"]) {
      expect((await signIns(org)).map((e) => [e.actor, e.interface])).toEqual([
        [owner, "dashboard"],
      ]);
    }
    // Another account's admin never sees it.
    expect(await signIns("Initech")).toEqual([]);

    // A second session is a second sign-in; a GitHub token in Authorization is not one.
    expect((await me({ cookie: await signIn(OWNER_OF_BOTH) })).statusCode).toBe(200);
    expect((await me(h.auth(OWNER_OF_BOTH))).statusCode).toBe(200);
    expect(await signIns("Acme-Corp")).toHaveLength(2);
  });

  it("signs in even when the sign-in cannot be recorded, and logs that at warn", async () => {
    const record = jest
      .spyOn(h.jasper.audit, "record")
      .mockRejectedValue(new Error("audit store down"));
    try {
      const res = await me({ cookie: await signIn() });
      expect(res.statusCode).toBe(200);
      expect(res.json().accounts).toEqual([{ login: "Acme-Corp", type: "Organization" }]);
      expect(record).toHaveBeenCalledTimes(1);
    } finally {
      record.mockRestore();
    }
    const warning = logs
      .text()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; accountId?: number })
      .find((l) => l.msg === "audit: sign-in not recorded");
    expect(warning).toMatchObject({ level: 40, accountId: 101 });
    expect(await signIns("Acme-Corp")).toEqual([]);
  });

  it("says whether the browser is signed in, with a 200 either way (no failed request to log)", async () => {
    const status = (cookie?: string) =>
      h.server.inject({
        method: "GET",
        url: "/api/v1/dashboard/status",
        headers: cookie ? { cookie } : {},
      });
    const out = await status();
    expect([out.statusCode, out.json().signedIn]).toEqual([200, false]);
    const cookie = await signIn();
    const inside = await status(cookie);
    expect([inside.statusCode, inside.json().signedIn]).toEqual([200, true]);
  });

  it("ends a session after SESSION_HOURS (8 by default), whatever the browser keeps", async () => {
    const cookie = await signIn();
    const me = () => h.server.inject({ method: "GET", url: "/api/v1/me", headers: { cookie } });
    expect((await me()).statusCode).toBe(200);
    const now = Date.now();
    const spy = jest.spyOn(Date, "now").mockReturnValue(now + 8 * 3600_000 + 1_000);
    try {
      expect((await me()).statusCode).toBe(401);
    } finally {
      spy.mockRestore();
    }
  });

  it("says sign-in is available, and Bearer tokens keep working", async () => {
    const status = await h.server.inject({ method: "GET", url: "/api/v1/dashboard/status" });
    expect(status.json()).toEqual({
      signIn: "available",
      missingSettings: [],
      signedIn: false,
      installUrl: "https://github.com/apps/jasper/installations/new",
    });
    const res = await h.server.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: h.auth("admin-acme-corp"),
    });
    expect(res.json()).toMatchObject({ csrfToken: null, accounts: [{ login: "Acme-Corp" }] });
  });
});

describe("dashboard without sign-in settings", () => {
  it("runs, and says which settings are missing", async () => {
    const h = await createApiHarness();
    const status = await h.server.inject({ method: "GET", url: "/api/v1/dashboard/status" });
    expect(status.json()).toEqual({
      signIn: "not_configured",
      missingSettings: ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "SESSION_SECRET"],
      signedIn: false,
      installUrl: "https://github.com/apps/jasper/installations/new",
    });
    const page = await h.server.inject({ method: "GET", url: "/billing" });
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
  });
});
