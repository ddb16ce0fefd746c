import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { createGitHubAuth } from "../../src/api/auth/github-auth.js";
import { GitHubUnavailableError } from "../../src/api/errors.js";
import { toAccountId } from "../../src/accounts/types.js";
import { closeHarnesses, createApiHarness } from "../support/harness.js";

const API = "https://api.github.com";
const ACME = { id: toAccountId(101), login: "Acme-Corp", type: "Organization" as const };
const OCTOCAT = { id: toAccountId(303), login: "octocat", type: "User" as const };
const TOKEN = "ghu_0123456789abcdefghijABCDEFGHIJ012345";

/** GitHub's answer to GET /user for TOKEN's user, once. */
const user = (login = "mona", id = 7) =>
  nock(API, { reqheaders: { authorization: `token ${TOKEN}` } })
    .get("/user")
    .reply(200, { login, id });

const membership = (body: object, status = 200) =>
  nock(API, { reqheaders: { authorization: `token ${TOKEN}` } })
    .get("/user/memberships/orgs/Acme-Corp")
    .reply(status, body);

// Each harness holds Redis connections and queues: close what a test opened.
afterEach(closeHarnesses);

describe("GitHubAuth (through GitHub's API)", () => {
  beforeEach(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(pending).toStrictEqual([]);
  });

  it("lets an active admin of the org in, through the API, and asks GitHub once", async () => {
    user();
    membership({ state: "active", role: "admin", organization: { id: 101, login: "Acme-Corp" } });
    const h = await createApiHarness({ github: createGitHubAuth() });
    const get = () =>
      h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth(TOKEN),
      });
    expect((await get()).statusCode).toBe(200);
    // Cached: a second request would find no mock and no network, and fail with 503.
    expect((await get()).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(200);
  });

  it("keeps out members who are not admins, pending invitations and non-members", async () => {
    const auth = createGitHubAuth();
    membership({ state: "active", role: "member", organization: { id: 101 } });
    expect(await auth.canAdminister(TOKEN, ACME)).toBe(false);
    const auth2 = createGitHubAuth();
    membership({ state: "pending", role: "admin", organization: { id: 101 } });
    expect(await auth2.canAdminister(TOKEN, ACME)).toBe(false);
    const auth3 = createGitHubAuth();
    membership({ message: "Not Found" }, 404);
    expect(await auth3.canAdminister(TOKEN, ACME)).toBe(false);
    const auth4 = createGitHubAuth();
    membership({ message: "Resource not accessible by integration" }, 403);
    expect(await auth4.canAdminister(TOKEN, ACME)).toBe(false);
  });

  it("keeps out an admin of another org that now holds the login", async () => {
    membership({ state: "active", role: "admin", organization: { id: 999 } });
    expect(await createGitHubAuth().canAdminister(TOKEN, ACME)).toBe(false);
  });

  it("answers a non-admin's request with 404 through the API", async () => {
    user();
    membership({ state: "active", role: "member", organization: { id: 101 } });
    const h = await createApiHarness({ github: createGitHubAuth() });
    const res = await h.server.inject({
      method: "GET",
      url: "/api/v1/organizations/Acme-Corp/billing",
      headers: h.auth(TOKEN),
    });
    expect(res.statusCode).toBe(404);
  });

  it("answers 401 for a token GitHub refuses, and remembers that", async () => {
    nock(API).get("/user").reply(401, { message: "Bad credentials" });
    const h = await createApiHarness({ github: createGitHubAuth() });
    for (let i = 0; i < 2; i++) {
      const res = await h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth(TOKEN),
      });
      expect(res.statusCode).toBe(401);
    }
  });

  it("lets a user account's own user in, by GitHub id", async () => {
    const auth = createGitHubAuth();
    user("octocat", 303);
    expect(await auth.canAdminister(TOKEN, OCTOCAT)).toBe(true);
    expect(await auth.canAdminister(TOKEN, { ...OCTOCAT, id: toAccountId(304) })).toBe(false);
  });

  it("answers 503 when GitHub fails, and does not remember the failure", async () => {
    nock(API).get("/user").reply(200, { login: "mona", id: 7 });
    nock(API).get("/user/memberships/orgs/Acme-Corp").reply(502, "Bad gateway");
    const h = await createApiHarness({ github: createGitHubAuth() });
    const get = () =>
      h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth(TOKEN),
      });
    const down = await get();
    expect(down.statusCode).toBe(503);
    expect(down.json().error.code).toBe("github_unavailable");
    membership({ state: "active", role: "admin", organization: { id: 101 } });
    expect((await get()).statusCode).toBe(200);
  });

  it("treats GitHub's rate limit as unavailable, not as a refusal", async () => {
    nock(API)
      .get("/user")
      .reply(403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0" });
    await expect(createGitHubAuth().identify(TOKEN)).rejects.toBeInstanceOf(GitHubUnavailableError);
  });

  it("asks again once the cached answer expires", async () => {
    let now = 1_000_000;
    const auth = createGitHubAuth({ ttlMs: 60_000, now: () => now });
    user();
    expect(await auth.identify(TOKEN)).toEqual({ login: "mona", id: 7 });
    now += 59_000;
    expect(await auth.identify(TOKEN)).toEqual({ login: "mona", id: 7 });
    now += 2_000;
    user("mona", 7);
    expect(await auth.identify(TOKEN)).toEqual({ login: "mona", id: 7 });
  });

  it("shares one GitHub call between concurrent requests", async () => {
    user();
    const auth = createGitHubAuth();
    const answers = await Promise.all([1, 2, 3].map(() => auth.identify(TOKEN)));
    expect(answers).toEqual([1, 2, 3].map(() => ({ login: "mona", id: 7 })));
  });

  it("talks to GitHub Enterprise Server at the configured base URL", async () => {
    nock("https://ghe.example.com")
      .get("/api/v3/user/memberships/orgs/Acme-Corp")
      .reply(200, { state: "active", role: "admin", organization: { id: 101 } });
    const auth = createGitHubAuth({ baseUrl: "https://ghe.example.com/api/v3/" });
    expect(await auth.canAdminister(TOKEN, ACME)).toBe(true);
  });

  it("asks GitHub the same for an unknown org as for a forbidden one, or a user account", async () => {
    const h = await createApiHarness({ github: createGitHubAuth() });
    await h.store.accounts.upsert({ id: toAccountId(303), login: "octocat", type: "User" });
    const asked: string[] = [];
    // Nobody here is an admin of anything: every answer must be the same 404.
    nock(API)
      .persist()
      .get(/.*/)
      .reply((uri) => {
        asked.push(uri);
        return uri === "/user" ? [200, { login: "mona", id: 7 }] : [404, { message: "Not Found" }];
      });
    const probe = async (org: string, token: string) => {
      asked.length = 0;
      const res = await h.server.inject({
        method: "GET",
        url: `/api/v1/organizations/${org}/billing`,
        headers: h.auth(token),
      });
      return { status: res.statusCode, body: res.body, asked: [...asked] };
    };
    const known = await probe("Acme-Corp", `${TOKEN}1`);
    const unknown = await probe("no-such-org", `${TOKEN}2`);
    const user = await probe("octocat", `${TOKEN}3`);
    expect(known).toEqual({
      status: 404,
      body: known.body,
      asked: ["/user", "/user/memberships/orgs/Acme-Corp"],
    });
    expect(unknown).toEqual({ ...known, asked: ["/user", "/user/memberships/orgs/no-such-org"] });
    expect(user).toEqual({ ...known, asked: ["/user", "/user/memberships/orgs/octocat"] });
    // Asked again with the same token: answered from the cache, for all three alike.
    for (const [org, token] of [
      ["Acme-Corp", `${TOKEN}1`],
      ["no-such-org", `${TOKEN}2`],
      ["octocat", `${TOKEN}3`],
    ] as const) {
      expect(await probe(org, token)).toEqual({ ...known, asked: [] });
    }
    // And a second unknown org costs what a second known one would: one membership question.
    expect((await probe("also-unknown", `${TOKEN}2`)).asked).toEqual([
      "/user/memberships/orgs/also-unknown",
    ]);
    nock.cleanAll();
  });

  it("keeps answers per token and per account", async () => {
    const auth = createGitHubAuth();
    membership({ state: "active", role: "admin", organization: { id: 101 } });
    nock(API, { reqheaders: { authorization: "token other" } })
      .get("/user/memberships/orgs/Acme-Corp")
      .reply(404, {});
    expect(await auth.canAdminister(TOKEN, ACME)).toBe(true);
    expect(await auth.canAdminister("other", ACME)).toBe(false);
    expect(await auth.canAdminister(TOKEN, ACME)).toBe(true);
  });
});
