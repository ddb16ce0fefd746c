import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import type { AccountRef, GitHubUser } from "../../src/api/auth/github-auth.js";
import { SESSION_COOKIE } from "../../src/dashboard/session.js";
import { SIGN_IN_ENV, expectTokenDeletion, signInAs } from "../support/dashboard-sign-in.js";
import { FakeGitHubAuth } from "../support/fake-github-auth.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";
import { captureLog, type CapturedLog } from "../support/log-capture.js";

/** A second user (id 3, "owner") beside the fake's `admin-<org>` tokens (all user id 1). */
const OWNER = "owner-of-acme";
class OwnerGitHub extends FakeGitHubAuth {
  override async identify(token: string): Promise<GitHubUser | null> {
    return token.startsWith(OWNER) ? { id: 3, login: "owner" } : super.identify(token);
  }
  override async installations(token: string): Promise<AccountRef[]> {
    return token.startsWith(OWNER)
      ? [{ id: toAccountId(101), login: "Acme-Corp", type: "Organization" }]
      : super.installations(token);
  }
  override async canAdminister(token: string, account: AccountRef): Promise<boolean> {
    return token.startsWith(OWNER)
      ? account.login === "Acme-Corp"
      : super.canAdminister(token, account);
  }
}

let h: ApiHarness;
let logs: CapturedLog;
beforeEach(async () => {
  // Every call to GitHub in these tests is one they expect (nock); Redis is not HTTP.
  nock.disableNetConnect();
  logs = captureLog("debug");
  h = await createApiHarness({ env: SIGN_IN_ENV, log: logs.log, github: new OwnerGitHub() });
});
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await closeHarnesses();
});

/** What a session can do: read billing, change settings, create a write key (statuses). */
async function uses(session: { cookie: string; csrf: string }) {
  const headers = { cookie: session.cookie, "x-csrf-token": session.csrf };
  const billing = await h.server.inject({
    method: "GET",
    url: "/api/v1/organizations/Acme-Corp/billing",
    headers,
  });
  const settings = await h.server.inject({
    method: "PUT",
    url: "/api/v1/organizations/Acme-Corp/billing/settings",
    headers,
    payload: { lowBalanceEmails: false },
  });
  const key = await h.server.inject({
    method: "POST",
    url: "/api/v1/organizations/Acme-Corp/api-keys",
    headers,
    payload: { name: "stolen", scope: "write" },
  });
  const me = await h.server.inject({ method: "GET", url: "/api/v1/me", headers });
  return {
    billing: billing.statusCode,
    settings: settings.statusCode,
    key: key.statusCode,
    me: me.statusCode,
  };
}
const ALLOWED = { billing: 200, settings: 200, key: 201, me: 200 };
const REFUSED = { billing: 401, settings: 401, key: 401, me: 401 };

const signOut = (session: { cookie: string; csrf: string }, everywhere = false) =>
  h.server.inject({
    method: "POST",
    url: everywhere ? "/auth/sign-out-everywhere" : "/auth/sign-out",
    headers: { cookie: session.cookie, "x-csrf-token": session.csrf },
  });

describe("sign-out", () => {
  it("ends the session server-side: a copy of the cookie taken before is refused afterwards", async () => {
    const session = await signInAs(h.server, "admin-acme-corp");
    expect(await uses(session)).toEqual(ALLOWED);
    const deletion = expectTokenDeletion("admin-acme-corp");

    const out = await signOut(session);
    expect(out.statusCode).toBe(204);
    expect(String(out.headers["set-cookie"])).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    // The copy: the same cookie and CSRF token, sent after the browser forgot them.
    expect(await uses(session)).toEqual(REFUSED);
    // GitHub was asked to revoke the user's token, with the App's client credentials.
    expect(deletion.isDone()).toBe(true);
    const keys = await h.store.apiKeys.list(h.orgA.id);
    expect(keys.filter((k) => k.name === "stolen")).toHaveLength(1);

    // Signing in again works, with a new session.
    expect(await uses(await signInAs(h.server, "admin-acme-corp"))).toEqual(ALLOWED);
  });

  it("needs the CSRF token, and a refused sign-out revokes nothing", async () => {
    const session = await signInAs(h.server, "admin-acme-corp");
    const out = await h.server.inject({
      method: "POST",
      url: "/auth/sign-out",
      headers: { cookie: session.cookie },
    });
    expect(out.statusCode).toBe(403);
    expect((await uses(session)).me).toBe(200);
  });

  it("signs out when GitHub refuses to revoke the token, logging that without the token", async () => {
    const session = await signInAs(h.server, "admin-acme-corp");
    const deletion = expectTokenDeletion("admin-acme-corp", 500);
    expect((await signOut(session)).statusCode).toBe(204);
    expect(deletion.isDone()).toBe(true);
    expect(await uses(session)).toEqual(REFUSED);
    const warning = logs
      .text()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; status?: number })
      .find((l) => l.msg.startsWith("sign-out: GitHub did not revoke"));
    expect(warning).toMatchObject({ level: 40, status: 500 });
    expect(logs.text()).not.toContain("admin-acme-corp");
    expect(logs.text()).not.toContain(SIGN_IN_ENV.GITHUB_CLIENT_SECRET);
  });

  it("treats a session from before sessions had ids as signed out", async () => {
    // Made as the sign-in of the previous release made them: no sid, no issue time.
    const old = h.server.createSecureSession({
      token: "admin-acme-corp",
      user: { id: 1, login: "admin-of-acme-corp" },
      csrf: "old-csrf",
    });
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(h.server.encodeSecureSession(old))}`;
    expect(await uses({ cookie, csrf: "old-csrf" })).toEqual(REFUSED);
  });
});

describe("sign out everywhere", () => {
  it("ends every session of the user, and no other user's", async () => {
    const here = await signInAs(h.server, OWNER);
    const laptop = await signInAs(h.server, `${OWNER}-laptop`);
    const someoneElse = await signInAs(h.server, "admin-acme-corp");
    const deletion = expectTokenDeletion(OWNER);

    const out = await signOut(here, true);
    expect(out.statusCode).toBe(204);
    expect(deletion.isDone()).toBe(true);
    expect(await uses(here)).toEqual(REFUSED);
    expect(await uses(laptop)).toEqual(REFUSED);
    expect(await uses(someoneElse)).toEqual(ALLOWED);

    // A sign-in after it is a new session, which works.
    expect(await uses(await signInAs(h.server, OWNER))).toEqual(ALLOWED);
  });

  it("needs a session and its CSRF token", async () => {
    const session = await signInAs(h.server, OWNER);
    const noCsrf = await h.server.inject({
      method: "POST",
      url: "/auth/sign-out-everywhere",
      headers: { cookie: session.cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
    const noSession = await h.server.inject({ method: "POST", url: "/auth/sign-out-everywhere" });
    expect(noSession.statusCode).toBe(401);
    expect((await uses(session)).me).toBe(200);
  });
});

describe("when Redis cannot say whether a session was revoked", () => {
  it("refuses the session with 503 (reads and writes); Bearer tokens still work", async () => {
    const session = await signInAs(h.server, "admin-acme-corp");
    const check = jest
      .spyOn(h.jasper.sessions, "check")
      .mockRejectedValue(new Error("Connection is closed."));
    try {
      expect(await uses(session)).toEqual({ billing: 503, settings: 503, key: 503, me: 503 });
      const bearer = await h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth("admin-acme-corp"),
      });
      expect(bearer.statusCode).toBe(200);
    } finally {
      check.mockRestore();
    }
    expect((await uses(session)).me).toBe(200);
  });

  it("answers sign-out with 503 and keeps the session, so that it can be tried again", async () => {
    const session = await signInAs(h.server, "admin-acme-corp");
    const deletion = expectTokenDeletion("admin-acme-corp");
    const revoke = jest
      .spyOn(h.jasper.sessions, "revoke")
      .mockRejectedValue(new Error("Connection is closed."));
    let out;
    try {
      out = await signOut(session);
    } finally {
      revoke.mockRestore();
    }
    expect(out.statusCode).toBe(503);
    expect(out.json()).toMatchObject({ error: { code: "sign_out_failed" } });
    expect(out.headers["set-cookie"]).toBeUndefined();
    // Nothing half-done: the token is still the user's, and the retry signs out.
    expect(deletion.isDone()).toBe(false);
    expect((await uses(session)).me).toBe(200);
    expect((await signOut(session)).statusCode).toBe(204);
    expect(deletion.isDone()).toBe(true);
    expect((await uses(session)).me).toBe(401);
  });
});
