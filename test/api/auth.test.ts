import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { generateApiKey, hashApiKey, sha256 } from "../../src/accounts/api-keys.js";
import { toAccountId } from "../../src/accounts/types.js";
import { createRedis } from "../../src/queue/redis.js";
import { OwnRedis } from "../support/own-redis.js";
import {
  closeHarnesses,
  createApiHarness,
  REDIS_URL,
  eventually,
  type ApiHarness,
} from "../support/harness.js";

const billing = (org: string) => `/api/v1/organizations/${org}/billing`;

// Each harness holds Redis connections and queues: close what a test opened.
afterEach(closeHarnesses);

describe("API authentication", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });
  const get = (url: string, authorization?: string) =>
    h.server.inject({ method: "GET", url, headers: authorization ? { authorization } : {} });

  it("answers 401 without a credential, or with a malformed one", async () => {
    for (const header of [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      "Basic dXNlcjpwYXNz",
      `Token ${h.keyA}`,
      "Bearer a b",
      `Bearer ${"x".repeat(1001)}`,
      "Bearer gh\u00e9",
    ]) {
      const res = await get(billing("Acme-Corp"), header);
      expect([header, res.statusCode]).toEqual([header, 401]);
      expect(res.json().error.code).toBe("unauthorized");
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="jasper"');
    }
    expect(h.github.calls).toBe(0);
  });

  it("checks the credential before reading or validating the body", async () => {
    const res = await h.server.inject({
      method: "PUT",
      url: "/api/v1/organizations/Acme-Corp/billing/settings",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(401);
    const cross = await h.server.inject({
      method: "PUT",
      url: "/api/v1/organizations/Globex/billing/settings",
      headers: { ...h.auth(h.keyA), "content-type": "application/json" },
      payload: JSON.stringify({ lowBalanceEmails: "nope" }),
    });
    expect(cross.statusCode).toBe(404);
  });

  it("accepts the org's own API key, in any case of the org's login", async () => {
    expect((await get(billing("Acme-Corp"), `Bearer ${h.keyA}`)).statusCode).toBe(200);
    expect((await get(billing("acme-corp"), `bearer ${h.keyA}`)).statusCode).toBe(200);
    expect(h.github.calls).toBe(0);
  });

  it("answers org A's key on org B with the same 404 as an unknown org", async () => {
    const cross = await get(billing("Globex"), `Bearer ${h.keyA}`);
    const unknown = await get(billing("no-such-org"), `Bearer ${h.keyA}`);
    const invalid = await get(billing("%24gt"), `Bearer ${h.keyA}`);
    expect(cross.statusCode).toBe(404);
    expect(cross.body).toBe(unknown.body);
    expect(invalid.body).toBe(unknown.body);
    for (const path of ["/billing/transactions", "/billing/settings", "/api-keys"]) {
      expect(
        (await get(`/api/v1/organizations/Globex${path}`, `Bearer ${h.keyA}`)).statusCode,
      ).toBe(404);
    }
    const checkout = await h.server.inject({
      method: "POST",
      url: "/api/v1/organizations/Globex/billing/checkout",
      headers: h.auth(h.keyA),
      payload: { package: "growth" },
    });
    expect(checkout.statusCode).toBe(404);
    const settings = await h.server.inject({
      method: "PUT",
      url: "/api/v1/organizations/Globex/billing/settings",
      headers: h.auth(h.keyA),
      payload: { lowBalanceEmails: false },
    });
    expect(settings.statusCode).toBe(404);
    expect((await h.store.accounts.get(h.orgB.id))!.settings.lowBalanceEmails).toBe(true);
    expect(h.checkouts).toHaveLength(0);
  });

  it("answers 401 to unknown, malformed and revoked API keys, whatever the org", async () => {
    const unknown = generateApiKey().key;
    for (const key of [unknown, "jsp_short", `${h.keyA}x`]) {
      expect((await get(billing("Acme-Corp"), `Bearer ${key}`)).statusCode).toBe(401);
      expect((await get(billing("no-such-org"), `Bearer ${key}`)).statusCode).toBe(401);
    }
    const [record] = await h.store.apiKeys.list(h.orgA.id);
    expect(await h.store.apiKeys.revoke(h.orgA.id, record!.id)).toBe(true);
    const revoked = await get(billing("Acme-Corp"), `Bearer ${h.keyA}`);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error.message).toBe("Unknown or revoked API key");
  });

  it("accepts an org admin's GitHub token, and answers 404 to anyone else's", async () => {
    expect((await get(billing("Acme-Corp"), "Bearer admin-acme-corp")).statusCode).toBe(200);
    const member = await get(billing("Acme-Corp"), "Bearer member-acme-corp");
    const otherAdmin = await get(billing("Acme-Corp"), "Bearer admin-globex");
    const unknownOrg = await get(billing("no-such-org"), "Bearer admin-acme-corp");
    for (const res of [member, otherAdmin, unknownOrg]) {
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(member.body);
    }
  });

  it("answers 401 to a GitHub token GitHub refuses, for known and unknown orgs alike", async () => {
    const known = await get(billing("Acme-Corp"), "Bearer ghp_revoked");
    const unknown = await get(billing("no-such-org"), "Bearer ghp_revoked");
    expect(known.statusCode).toBe(401);
    expect(unknown.body).toBe(known.body);
  });

  it("serves a user account to that user", async () => {
    const user = await h.store.accounts.upsert({
      id: toAccountId(303),
      login: "octocat",
      type: "User",
    });
    await h.ledger.ensureFreeTier(user.id);
    expect((await get(billing("octocat"), "Bearer admin-octocat")).statusCode).toBe(200);
    expect((await get(billing("octocat"), "Bearer admin-acme-corp")).statusCode).toBe(404);
  });

  it("remembers when a key was last used, for successful requests", async () => {
    await get(billing("Acme-Corp"), `Bearer ${h.keyA}`);
    // Recorded by an onResponse hook, which may run just after the reply is delivered.
    await new Promise((resolve) => setImmediate(resolve));
    const [used] = await h.store.apiKeys.list(h.orgA.id);
    expect(used!.lastUsedAt).toBeInstanceOf(Date);
    const refused = await get(
      "/api/v1/organizations/Globex/billing/transactions?limit=abc",
      `Bearer ${h.keyB}`,
    );
    expect(refused.statusCode).toBe(400);
    const [unused] = await h.store.apiKeys.list(h.orgB.id);
    expect(unused!.lastUsedAt).toBeNull();
  });
});

describe("API rate limit", () => {
  it("answers 429 JSON per credential once its limit is used up", async () => {
    const h = await createApiHarness({ apiRateLimit: { max: 3, timeWindowMs: 60_000 } });
    const get = (token?: string) =>
      h.server.inject({
        method: "GET",
        url: billing("Acme-Corp"),
        headers: token ? h.auth(token) : {},
      });
    for (let i = 0; i < 3; i++) expect((await get(h.keyA)).statusCode).toBe(200);
    const limited = await get(h.keyA);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["content-type"]).toMatch(/^application\/json/);
    expect(limited.json()).toEqual({
      error: { code: "rate_limited", message: expect.stringMatching(/^Too many requests/) },
    });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // Another credential has its own budget; requests without one share the address's.
    expect((await get("admin-acme-corp")).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await get()).statusCode).toBe(401);
    expect((await get()).statusCode).toBe(429);
    const packages = await h.server.inject({ method: "GET", url: "/api/v1/billing/packages" });
    expect(packages.statusCode).toBe(429);
  });
});

describe("API rate limit, across spellings, addresses and processes", () => {
  const getAs = (h: ApiHarness, authorization?: string, remoteAddress = "127.0.0.1") =>
    h.server.inject({
      method: "GET",
      url: billing("Acme-Corp"),
      headers: authorization === undefined ? {} : { authorization },
      remoteAddress,
    });

  it("counts one credential however Authorization spells the scheme and spaces", async () => {
    const h = await createApiHarness({ apiRateLimit: { max: 3, timeWindowMs: 60_000 } });
    for (const header of [`Bearer ${h.keyA}`, `bearer   ${h.keyA}`, `\tBEARER ${h.keyA} \t`]) {
      expect([header, (await getAs(h, header)).statusCode]).toEqual([header, 200]);
    }
    expect((await getAs(h, `BeArEr ${h.keyA}  `)).statusCode).toBe(429);
    // A GitHub token likewise.
    for (let i = 0; i < 3; i++) await getAs(h, `${i % 2 ? "bearer" : "Bearer"}  admin-acme-corp`);
    expect((await getAs(h, " BEARER admin-acme-corp")).statusCode).toBe(429);
    expect((await getAs(h, `Bearer ${h.keyB}`)).statusCode).not.toBe(429);
  });

  it("refuses an address after its failed authentications, before asking GitHub", async () => {
    const h = await createApiHarness({
      apiRateLimit: { max: 1_000, timeWindowMs: 60_000, failedAuthMax: 5 },
    });
    // Five failures of every kind; a 404 (a good token, not this org's) and successes between.
    expect((await getAs(h, "Bearer ghp_random1")).statusCode).toBe(401);
    expect((await getAs(h, `Bearer ${generateApiKey().key}`)).statusCode).toBe(401);
    expect((await getAs(h, "Bearer member-acme-corp")).statusCode).toBe(404);
    expect((await getAs(h, `Bearer ${h.keyA}`)).statusCode).toBe(200);
    expect((await getAs(h)).statusCode).toBe(401);
    expect((await getAs(h, "Basic dXNlcjpwYXNz")).statusCode).toBe(401);
    expect((await getAs(h, "Bearer ghp_random2")).statusCode).toBe(401);
    const calls = h.github.calls;

    const blocked = await getAs(h, "Bearer ghp_random3");
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toEqual({
      error: { code: "rate_limited", message: expect.stringMatching(/failed authentications/) },
    });
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    // The whole address, good credentials included, until the window ends; and no GitHub call.
    expect((await getAs(h, "Bearer admin-acme-corp")).statusCode).toBe(429);
    expect((await getAs(h, `Bearer ${h.keyA}`)).statusCode).toBe(429);
    expect(h.github.calls).toBe(calls);
    // Other addresses are not held back by it.
    expect((await getAs(h, "Bearer admin-acme-corp", "203.0.113.9")).statusCode).toBe(200);
    expect((await getAs(h, "Bearer ghp_random4", "2001:db8::1")).statusCode).toBe(401);
  });

  it("shares the counters between web processes, through Redis", async () => {
    const h = await createApiHarness({
      apiRateLimit: { max: 3, timeWindowMs: 60_000, failedAuthMax: 2 },
    });
    const other = await h.jasper.createServer();
    try {
      await other.ready();
      const onOther = (authorization: string) =>
        other.inject({ method: "GET", url: billing("Acme-Corp"), headers: { authorization } });
      expect((await getAs(h, `Bearer ${h.keyA}`)).statusCode).toBe(200);
      expect((await onOther(`Bearer ${h.keyA}`)).statusCode).toBe(200);
      expect((await getAs(h, `Bearer ${h.keyA}`)).statusCode).toBe(200);
      expect((await onOther(`Bearer ${h.keyA}`)).statusCode).toBe(429);

      expect((await getAs(h, "Bearer ghp_random1")).statusCode).toBe(401);
      expect((await onOther("Bearer ghp_random2")).statusCode).toBe(401);
      expect((await getAs(h, "Bearer admin-acme-corp")).statusCode).toBe(429);
    } finally {
      await other.close();
    }
  });

  it("counts a public route per address, whatever made-up Bearer token comes with it", async () => {
    const h = await createApiHarness({ apiRateLimit: { max: 3, timeWindowMs: 60_000 } });
    const packages = (token: string, remoteAddress = "127.0.0.1") =>
      h.server.inject({
        method: "GET",
        url: "/api/v1/billing/packages",
        headers: { authorization: `Bearer ${token}` },
        remoteAddress,
      });
    for (let i = 0; i < 3; i++) expect((await packages(`made-up-${i}`)).statusCode).toBe(200);
    expect((await packages("made-up-3")).statusCode).toBe(429);
    const calculator = await h.server.inject({
      method: "POST",
      url: "/api/v1/billing/calculator",
      headers: { authorization: "Bearer made-up-4" },
      payload: { pullRequestsPerMonth: 10 },
    });
    expect(calculator.statusCode).toBe(429);
    // Another address has its own budget; an authenticated route still counts per credential.
    expect((await packages("made-up-5", "203.0.113.9")).statusCode).toBe(200);
    expect((await getAs(h, `Bearer ${h.keyA}`)).statusCode).toBe(200);
  });

  it("keeps hashes of credentials in Redis, never the credentials", async () => {
    const h = await createApiHarness({ apiRateLimit: { max: 100, timeWindowMs: 60_000 } });
    const token = "ghp_secretToken123";
    await getAs(h, `Bearer ${h.keyA}`);
    await getAs(h, `Bearer ${token}`);
    await getAs(h, "Bearer admin-acme-corp");
    const redis = createRedis(REDIS_URL, "producer");
    try {
      const keys = await redis.keys(`${h.prefix}:api-rate:*`);
      const text = keys.join("\n");
      expect(text).toContain(hashApiKey(h.keyA));
      expect(text).toContain(sha256(token));
      expect(text).toContain(sha256("admin-acme-corp"));
      for (const secret of [h.keyA, token, "admin-acme-corp"]) {
        expect(text.includes(secret)).toBe(false);
      }
    } finally {
      await redis.quit();
    }
  });
});

describe("API with Redis, which keeps the rate limit's counters, out of reach", () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(async () => redis.stop());

  it("answers 503 to retry, never 500, and serves again once Redis is back", async () => {
    const h = await createApiHarness({
      redisUrl: redis.url,
      apiRateLimit: { max: 100, timeWindowMs: 60_000 },
    });
    const requests = () => [
      h.server.inject({ method: "GET", url: billing("Acme-Corp"), headers: h.auth(h.keyA) }),
      h.server.inject({ method: "GET", url: "/api/v1/billing/packages" }),
    ];
    await redis.stop();
    for (const response of await Promise.all(requests())) {
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        error: { code: "service_unavailable", message: expect.any(String) },
      });
      expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
    }
    // Back: the harness closes against a Redis that answers (afterEach).
    await redis.start();
    await eventually(async () =>
      (await Promise.all(requests())).every((r) => r.statusCode === 200),
    );
  });
});
