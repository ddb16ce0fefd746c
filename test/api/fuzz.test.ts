import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { generateApiKey } from "../../src/accounts/api-keys.js";
import { MAX_ACTIVE_KEYS } from "../../src/administration/api-keys.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

/**
 * Random requests, most of them wrong: every answer is 2xx or 4xx, JSON (or the CSV export),
 * never a 5xx; and a refused request leaves the ledger, the accounts, the API keys and the
 * checkout log exactly as they were.
 */
// Each harness holds Redis connections and queues: close what a test opened.
afterAll(closeHarnesses);

describe("billing API under random input", () => {
  let h: ApiHarness;
  let revokedKey: string;
  let writeKey: string;
  let spareKeyId = "";

  beforeAll(async () => {
    h = await createApiHarness();
    // Some history to list and export.
    for (let n = 1; n <= 4; n++) {
      await h.ledger.charge(h.orgA.id, {
        action: "review",
        description: `Review of #${n} \u{1F600} "quoted", =1+1`,
        reference: { kind: "pull_request", repository: "Acme-Corp/widgets", number: n },
        idempotencyKey: `r${n}`,
      });
    }
    const revoked = generateApiKey();
    const r = await h.store.apiKeys.create(
      { accountId: h.orgA.id, name: "old", scope: "write", ...revoked },
      MAX_ACTIVE_KEYS,
    );
    await h.store.apiKeys.revoke(h.orgA.id, r!.id);
    revokedKey = revoked.key;
    writeKey = await h.addKey(h.orgA, "write");
    const spare = generateApiKey();
    spareKeyId = (await h.store.apiKeys.create(
      { accountId: h.orgA.id, name: "spare", scope: "read", ...spare },
      MAX_ACTIVE_KEYS,
    ))!.id;
  });

  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 60,
  });
  const weirdText = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.constantFrom(
      "$gt",
      '{"$gt":""}',
      "..",
      "%00",
      "__proto__",
      "constructor",
      "\u0000",
      "\u202e",
      "9".repeat(400),
      "-1",
      "1e400",
      "NaN",
      "null",
      "true",
      "[]",
    ),
  );
  const hugeNumber = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 0.5, 2 ** 64);
  const operator = fc.constantFrom(
    { $gt: "" },
    { $ne: null },
    { $where: "1" },
    { $in: ["growth"] },
    { $regex: ".*" },
  );
  const anyValue = fc.oneof(
    weirdText,
    hugeNumber,
    operator,
    fc.boolean(),
    fc.constant(null),
    fc.jsonValue({ maxDepth: 2 }),
  );

  const org = fc.oneof(
    fc.constantFrom(
      "Acme-Corp",
      "acme-corp",
      "Globex",
      "no-such-org",
      "%24gt",
      "a".repeat(101),
      "Acme-Corp%00",
    ),
    weirdText.map(encodeURIComponent),
  );
  const path = fc.oneof(
    fc.constantFrom("/api/v1/billing/packages", "/api/v1/openapi.json", "/api/v1", "/api/v1/"),
    fc
      .tuple(
        org,
        fc.constantFrom(
          "/billing",
          "/billing/transactions",
          "/billing/checkout",
          "/billing/settings",
          "/api-keys",
          "/api-keys/",
        ),
        fc.oneof(fc.constant(""), fc.constant("spare"), weirdText.map(encodeURIComponent)),
      )
      .map(([o, p, id]) => {
        const key = id === "spare" ? spareKeyId : id;
        return `/api/v1/organizations/${o}${p}${p.endsWith("/") ? key : ""}`;
      }),
    // Not "." or "..": URL parsing would take those out of /api/v1, to the server's own 404.
    weirdText.filter((s) => !/^\.{1,2}$/.test(s)).map((s) => `/api/v1/${encodeURIComponent(s)}`),
  );

  const queryValue = fc.oneof(
    fc.constantFrom(
      "usage",
      "usage,refund",
      "2026-11-01",
      "2026-11-10T12:00:00Z",
      "2026-02-30",
      "csv",
      "json",
      "25",
      "0",
      "101",
      "-1",
      "abc",
      "eyJ2IjoxLCJzZXEiOjJ9",
      "eyJ2IjoxLCJzZXEiOjB9",
    ),
    weirdText,
    hugeNumber.map(String),
  );
  const query = fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          "type",
          "from",
          "to",
          "cursor",
          "limit",
          "format",
          "limit[$gt]",
          "type[]",
          "__proto__",
        ),
        weirdText,
      ),
      queryValue,
    ),
    { maxLength: 5 },
  );

  const body = fc.oneof(
    fc.constant(undefined),
    fc.record(
      { package: fc.oneof(fc.constantFrom("growth", "starter", "platinum"), anyValue) },
      { requiredKeys: [] },
    ),
    fc.record({ name: anyValue }, { requiredKeys: [] }),
    fc.record(
      {
        billingContacts: fc.oneof(
          fc.array(fc.oneof(fc.emailAddress(), anyValue), { maxLength: 25 }),
          anyValue,
        ),
        lowBalanceEmails: fc.oneof(fc.boolean(), anyValue),
        reviewCharging: fc.oneof(fc.constantFrom("pull_request", "review_run"), anyValue),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(weirdText, anyValue, { maxKeys: 4 }),
    operator,
    anyValue,
  );
  const rawBody = fc.constantFrom(
    "{bad",
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
    "",
    "[",
    "\u0000",
    '{"package":"growth"}',
  );

  const credential = fc.oneof(
    fc.constant<string | undefined>(undefined),
    fc.constantFrom(
      "keyA",
      "keyB",
      "writeA",
      "revoked",
      "admin-acme-corp",
      "member-acme-corp",
      "admin-globex",
      "ghp_bad",
      "jsp_",
      "jsp_" + "A".repeat(43),
    ),
    printable,
  );

  /** Anything at all: most of these fail early (auth, routing, parsing). */
  const chaos = fc.record({
    method: fc.constantFrom("GET", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
    path,
    query,
    body: fc.oneof(
      body.map((b) => ({ kind: "json" as const, b })),
      rawBody.map((b) => ({ kind: "raw" as const, b })),
    ),
    contentType: fc.constantFrom(
      undefined,
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
    ),
    credential,
    scheme: fc.constantFrom("Bearer ", "bearer ", "Basic ", "", "Bearer  "),
    accept: fc.constantFrom(
      undefined,
      "application/json",
      "text/csv",
      "*/*",
      "text/csv, application/json",
      "text/html",
    ),
    idempotencyKey: fc.option(printable, { nil: undefined }),
  });

  /** A value that is usually what the field wants, sometimes anything. */
  const mostly = <T>(good: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: good, weight: 3 }, { arbitrary: anyValue, weight: 1 });
  const ROUTES = [
    ["GET", "/billing"],
    ["GET", "/billing/transactions"],
    ["POST", "/billing/checkout"],
    ["GET", "/billing/settings"],
    ["PUT", "/billing/settings"],
    ["POST", "/api-keys"],
    ["GET", "/api-keys"],
    ["DELETE", "/api-keys/"],
  ] as const;
  const txQuery = fc
    .array(
      fc.oneof(
        mostly(
          fc
            .subarray(["usage", "refund", "purchase", "free_tier", "bonus"])
            .map((t) => t.join(",")),
        ).map((v) => ["type", v] as const),
        mostly(
          fc
            .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
            .map((d) => d.toISOString()),
        ).map((v) => ["from", v] as const),
        mostly(
          fc
            .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
            .map((d) => d.toISOString().slice(0, 10)),
        ).map((v) => ["to", v] as const),
        mostly(fc.integer({ min: -5, max: 150 })).map((v) => ["limit", v] as const),
        mostly(
          fc
            .integer({ min: -1, max: 10 })
            .map((seq) => Buffer.from(JSON.stringify({ v: 1, seq })).toString("base64url")),
        ).map((v) => ["cursor", v] as const),
        mostly(fc.constantFrom("json", "csv")).map((v) => ["format", v] as const),
      ),
      { maxLength: 4 },
    )
    .map((pairs) =>
      pairs.map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)] as [string, string]),
    );
  const routeBody = (method: string, route: string) => {
    if (route === "/billing/checkout")
      return fc.record(
        { package: mostly(fc.constantFrom("growth", "scale", "platinum")) },
        { requiredKeys: [] },
      );
    if (route === "/api-keys" && method === "POST")
      return fc.record({ name: mostly(fc.string({ maxLength: 120 })) }, { requiredKeys: [] });
    if (route === "/billing/settings" && method === "PUT") return body;
    return fc.constant(undefined);
  };
  /** Requests that get past routing and authentication, to reach validation and handlers. */
  const aimed = fc
    .tuple(
      fc.constantFrom(...ROUTES),
      fc.constantFrom("Acme-Corp", "Acme-Corp", "acme-corp", "Globex"),
      fc.constantFrom(
        "keyA",
        "writeA",
        "admin-acme-corp",
        "admin-acme-corp",
        "keyB",
        "member-acme-corp",
        "revoked",
      ),
    )
    .chain(([[method, route], org, cred]) =>
      fc.record({
        method: fc.constant(method as string),
        path: fc
          .oneof(
            fc.constant(spareKeyId),
            fc.constant("nope"),
            weirdText.filter((t) => !/^\.{1,2}$/.test(t)).map(encodeURIComponent),
          )
          .map((id) => `/api/v1/organizations/${org}${route}${route.endsWith("/") ? id : ""}`),
        query: route === "/billing/transactions" ? txQuery : fc.constant([] as [string, string][]),
        body: routeBody(method, route).map((b) => ({ kind: "json" as const, b: b as unknown })),
        contentType: fc.constantFrom<string | undefined>("application/json"),
        credential: fc.constant<string | undefined>(cred),
        scheme: fc.constant("Bearer "),
        accept: fc.constantFrom<string | undefined>(undefined, "application/json", "text/csv"),
        idempotencyKey: fc.option(fc.oneof(printable, fc.uuid()), { nil: undefined }),
      }),
    );
  const request = fc.oneof({ arbitrary: aimed, weight: 3 }, { arbitrary: chaos, weight: 1 });

  const snapshot = async () => {
    const entries = async (id: typeof h.orgA.id) => {
      const out: LedgerEntry[] = [];
      for await (const e of h.store.ledger.stream(id, "asc")) out.push(e);
      return out;
    };
    // lastUsedAt is written after a successful request's reply, so it is left out.
    const keys = async (id: typeof h.orgA.id) =>
      (await h.store.apiKeys.list(id)).map(({ lastUsedAt: _lastUsedAt, ...k }) => k);
    return {
      ledger: [await entries(h.orgA.id), await entries(h.orgB.id)],
      accounts: [await h.store.accounts.get(h.orgA.id), await h.store.accounts.get(h.orgB.id)],
      keys: [await keys(h.orgA.id), await keys(h.orgB.id)],
      checkouts: h.checkouts.length,
      polluted: ({} as Record<string, unknown>).polluted,
    };
  };

  it("answers 2xx or 4xx JSON, and a refused request changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const token =
          r.credential === "keyA"
            ? h.keyA
            : r.credential === "keyB"
              ? h.keyB
              : r.credential === "writeA"
                ? writeKey
                : r.credential === "revoked"
                  ? revokedKey
                  : r.credential;
        const headers: Record<string, string> = {};
        if (token !== undefined) headers.authorization = `${r.scheme}${token}`;
        if (r.accept) headers.accept = r.accept;
        if (r.idempotencyKey !== undefined) headers["idempotency-key"] = r.idempotencyKey;
        let payload: string | undefined;
        if (r.body.kind === "raw") payload = r.body.b;
        else if (r.body.b !== undefined) payload = JSON.stringify(r.body.b);
        if (payload !== undefined && r.contentType) headers["content-type"] = r.contentType;
        const qs = r.query
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join("&");

        const before = await snapshot();
        const res = await h.server.inject({
          method: r.method as "GET",
          url: qs ? `${r.path}?${qs}` : r.path,
          headers,
          ...(payload !== undefined && r.method !== "GET" && r.method !== "HEAD"
            ? { payload }
            : {}),
        });

        expect(res.statusCode).toBeGreaterThanOrEqual(200);
        expect(res.statusCode).toBeLessThan(500);
        if (r.method !== "HEAD" && res.statusCode !== 204) {
          const type = String(res.headers["content-type"] ?? "");
          if (type.startsWith("text/csv")) {
            expect(res.statusCode).toBe(200);
            expect(res.body.startsWith("id,created_at,type,amount")).toBe(true);
          } else {
            expect(type).toMatch(/^application\/json/);
            const json = res.json();
            if (res.statusCode >= 400) expect(typeof json.error.code).toBe("string");
          }
        }
        if (res.statusCode >= 400) expect(await snapshot()).toEqual(before);
      }),
      { numRuns: 600 },
    );
  });
});
