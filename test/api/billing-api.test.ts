import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { StoreTimeoutError } from "../../src/shared/errors.js";
import { closeHarnesses, createApiHarness, PACKAGES, type ApiHarness } from "../support/harness.js";

const ADMIN_A = "admin-acme-corp";

// Each harness holds Redis connections and queues: close what a test opened.
afterEach(closeHarnesses);

describe("billing API", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });

  describe("GET /billing/packages", () => {
    it("is public, with prices as decimal strings and the price per review", async () => {
      const res = await h.server.inject({ method: "GET", url: "/api/v1/billing/packages" });
      expect(res.statusCode).toBe(200);
      const listed = res.json().packages;
      const usdOnly = PACKAGES.map(({ prices: _prices, ...p }) => p);
      expect(listed.map(({ prices: _prices, ...p }: { prices: unknown }) => p)).toEqual([
        { ...usdOnly[0], price: "30.00", currency: "usd", perReview: "0.30" },
        { ...usdOnly[1], price: "122.50", currency: "usd", perReview: "0.245" },
        { ...usdOnly[2], price: "396.00", currency: "usd", perReview: "0.198" },
      ]);
      expect(listed[1].prices).toEqual([
        { currency: "usd", price: "122.50", priceCents: 12250, perReview: "0.245" },
        { currency: "eur", price: "114.00", priceCents: 11400, perReview: "0.228" },
        { currency: "gbp", price: "98.00", priceCents: 9800, perReview: "0.196" },
      ]);
    });
  });

  describe("GET /organizations/:org/billing", () => {
    const get = (token: string, org = "Acme-Corp") =>
      h.server.inject({
        method: "GET",
        url: `/api/v1/organizations/${org}/billing`,
        headers: h.auth(token),
      });

    it("shows balance, buckets, free reset, alert level and usage", async () => {
      await h.ledger.grant(h.orgA.id, {
        type: "purchase",
        amount: 20,
        description: "credits",
        idempotencyKey: "p1",
      });
      await h.ledger.charge(h.orgA.id, {
        action: "review",
        description: "review",
        idempotencyKey: "r1",
      });
      const res = await get(h.keyA, "acme-corp");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        organization: "Acme-Corp",
        balance: 22,
        buckets: { free: 2, plan: 0, bonus: 0, purchased: 20 },
        freePeriod: "2026-11",
        nextFreeReset: "2026-12-01T00:00:00.000Z",
        alertLevel: "none",
        banner: null,
        paused: false,
        usageThisMonth: 1,
        budgets: { period: "2026-11", account: null, repositories: [], authors: [] },
        // 1 credit in 14 days against 22: far past the 90-day horizon.
        runway: { dailySpend: 0.07, runsOutOn: null, moreThan90Days: true },
        // Never paid: USD, and a purchase with no recorded price gives the balance no value.
        currency: "usd",
        currencyFixed: false,
        balanceValue: null,
      });
    });

    it("without repository or author budgets, reads the month's totals from the newest entry, not the month's entries", async () => {
      await h.ledger.grant(h.orgA.id, {
        type: "purchase",
        amount: 20,
        description: "credits",
        idempotencyKey: "p1",
      });
      const put = (payload: object) =>
        h.server.inject({
          method: "PUT",
          url: "/api/v1/organizations/Acme-Corp/budgets",
          headers: h.auth(ADMIN_A),
          payload,
        });
      expect((await put({ account: 10 })).statusCode).toBe(200);
      for (let n = 1; n <= 3; n++) {
        await h.ledger.charge(h.orgA.id, {
          action: "review",
          description: "r",
          reference: {
            kind: "pull_request",
            repository: `acme-corp/r${n}`,
            repositoryId: n,
            number: n,
            author: "octocat",
          },
          idempotencyKey: `r${n}`,
        });
      }
      const useSince = jest.spyOn(h.store.ledger, "useSince");
      const res = await get(h.keyA);
      expect(res.json().budgets).toEqual({
        period: "2026-11",
        account: { used: 3, cap: 10, level: "ok" },
        repositories: [],
        authors: [],
      });
      expect(useSince).not.toHaveBeenCalled();
      // An author budget lists its authors: the authors' counters are read then, each from the
      // newest entry carrying it, still not the month's entries (nor the repositories').
      expect((await put({ account: 10, authorDefault: 5 })).statusCode).toBe(200);
      const counters = jest.spyOn(h.store.ledger, "latestCounters");
      expect((await get(h.keyA)).json().budgets.authors).toEqual([
        { login: "octocat", used: 3, cap: 5, level: "ok" },
      ]);
      expect(counters.mock.calls.map((c) => c[2])).toEqual(["authors"]);
      expect(useSince).not.toHaveBeenCalled();
    });

    it("greets free credits alone with what they are, not the critical banner", async () => {
      // A new account: the free tier (3) sits at the critical level, but nothing is wrong.
      const fresh = (await get(ADMIN_A)).json();
      expect(fresh).toMatchObject({ balance: 3, alertLevel: "critical" });
      expect(fresh.banner).toEqual({
        level: "free",
        message: "3 free reviews left this month. Buy credits to review more.",
      });
      await h.ledger.charge(h.orgA.id, {
        action: "review",
        description: "r",
        idempotencyKey: "f1",
      });
      expect((await get(ADMIN_A)).json().banner).toEqual({
        level: "free",
        message: "2 free reviews left this month. Buy credits to review more.",
      });
    });

    it("shows a banner when critical, and a paused one when depleted", async () => {
      await h.ledger.charge(h.orgA.id, {
        action: "review",
        description: "r",
        idempotencyKey: "f1",
      });
      await h.ledger.grant(h.orgA.id, {
        type: "bonus",
        amount: 1,
        description: "b",
        idempotencyKey: "b",
      });
      // 2 free and 1 bonus: credits beyond the free tier are running out.
      const critical = (await get(ADMIN_A)).json();
      expect(critical.alertLevel).toBe("critical");
      expect(critical.banner).toEqual({
        level: "critical",
        message: expect.stringContaining("3 credits"),
      });
      for (let i = 0; i < 3; i++) {
        await h.ledger.charge(h.orgA.id, {
          action: "review",
          description: "r",
          idempotencyKey: `r${i}`,
        });
      }
      const depleted = (await get(ADMIN_A)).json();
      expect(depleted).toMatchObject({ balance: 0, alertLevel: "depleted", paused: true });
      expect(depleted.banner).toEqual({
        level: "depleted",
        message: expect.stringContaining("`/jasper review`"),
      });
    });

    it("warns without a banner", async () => {
      await h.ledger.grant(h.orgA.id, {
        type: "bonus",
        amount: 5,
        description: "b",
        idempotencyKey: "b",
      });
      expect((await get(h.keyA)).json()).toMatchObject({ alertLevel: "warning", banner: null });
    });
  });

  describe("POST /organizations/:org/billing/checkout", () => {
    // Buying takes a write key (or an admin's GitHub token): the harness's keys only read.
    let writeKeyA: string;
    beforeEach(async () => {
      writeKeyA = await h.addKey(h.orgA, "write");
    });
    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      h.server.inject({
        method: "POST",
        url: "/api/v1/organizations/Acme-Corp/billing/checkout",
        headers: { ...h.auth(writeKeyA), ...headers },
        payload: payload as string,
      });

    it("answers 201 with the Checkout URL", async () => {
      const res = await post({ package: "growth" });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        url: "https://checkout.stripe.com/c/pay/cs_test_1",
        sessionId: "cs_test_1",
      });
      expect(h.checkouts).toEqual([
        {
          accountId: 101,
          accountLogin: "Acme-Corp",
          packageId: "growth",
          requestKey: expect.stringMatching(/^api-checkout:101:/),
        },
      ]);
    });

    it("derives the request key from Idempotency-Key, scoped to the account", async () => {
      await post({ package: "growth" }, { "idempotency-key": "order-7" });
      await post({ package: "growth" }, { "idempotency-key": "order-7" });
      await post({ package: "growth" });
      await post({ package: "growth" });
      const keys = h.checkouts.map((c) => c.requestKey);
      expect(keys[0]).toBe(keys[1]);
      expect(new Set(keys).size).toBe(3);
      await h.server.inject({
        method: "POST",
        url: "/api/v1/organizations/Globex/billing/checkout",
        headers: { ...h.auth(await h.addKey(h.orgB, "write")), "idempotency-key": "order-7" },
        payload: { package: "growth" },
      });
      expect(h.checkouts[4]!.requestKey).not.toBe(keys[0]);
      expect(h.checkouts[4]!.requestKey).toMatch(/^api-checkout:202:/);
    });

    it("refuses a bad Idempotency-Key", async () => {
      for (const key of ["has space", "x".repeat(201)]) {
        const res = await post({ package: "growth" }, { "idempotency-key": key });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.issues[0].path).toBe("headers.idempotency-key");
      }
      expect(h.checkouts).toHaveLength(0);
    });

    it("passes the currency asked for on, and refuses an unknown one without calling checkout", async () => {
      expect((await post({ package: "growth", currency: "eur" })).statusCode).toBe(201);
      expect(h.checkouts[0]!.currency).toBe("eur");
      for (const currency of ["jpy", "EURO", 5, null]) {
        const res = await post({ package: "growth", currency });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.issues[0].path).toBe("body.currency");
      }
      expect(h.checkouts).toHaveLength(1);
    });

    it("answers 409 currency_fixed when the organization pays in another currency", async () => {
      const fixed = await createApiHarness({
        checkout: async () => ({ status: "currency_fixed", fixed: "eur" }),
      });
      const res = await fixed.server.inject({
        method: "POST",
        url: "/api/v1/organizations/Acme-Corp/billing/checkout",
        headers: fixed.auth(await fixed.addKey(fixed.orgA, "write")),
        payload: { package: "growth", currency: "gbp" },
      });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({
        error: {
          code: "currency_fixed",
          message: "This organization pays in EUR since its first payment",
        },
      });
    });

    it("answers 400 unknown_package", async () => {
      const res = await post({ package: "platinum" });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe("unknown_package");
    });

    it("answers 400 to a malformed body without calling checkout", async () => {
      for (const body of [
        {},
        { package: { $gt: "" } },
        { package: "growth", extra: 1 },
        { package: 7 },
        [],
      ]) {
        const res = await post(body);
        expect([body, res.statusCode]).toEqual([body, 400]);
      }
      // A bare string goes out without a content type: nothing can parse that.
      expect((await post("growth")).statusCode).toBe(415);
      expect(h.checkouts).toHaveLength(0);
    });

    it("answers 503 checkout_unavailable when Stripe is not configured", async () => {
      const off = await createApiHarness({ checkout: async () => ({ status: "unavailable" }) });
      const res = await off.server.inject({
        method: "POST",
        url: "/api/v1/organizations/Acme-Corp/billing/checkout",
        headers: off.auth(await off.addKey(off.orgA, "write")),
        payload: { package: "growth" },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        error: { code: "checkout_unavailable", message: expect.any(String) },
      });
    });

    it("answers 500 with a generic message when checkout fails unexpectedly", async () => {
      const broken = await createApiHarness({
        checkout: async () => {
          throw Object.assign(new Error("secret Stripe detail sk_live_x"), { statusCode: 400 });
        },
      });
      const res = await broken.server.inject({
        method: "POST",
        url: "/api/v1/organizations/Acme-Corp/billing/checkout",
        headers: broken.auth(await broken.addKey(broken.orgA, "write")),
        payload: { package: "growth" },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        error: { code: "internal_error", message: "Something went wrong on our side" },
      });
    });

    it("answers 503 store_timeout, to retry, when the database did not answer in time", async () => {
      jest
        .spyOn(h.store.ledger, "latest")
        .mockRejectedValue(new StoreTimeoutError("read", { cause: new Error("maxTimeMS") }));
      const res = await h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth(h.keyA),
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(res.json()).toEqual({
        error: { code: "store_timeout", message: expect.stringContaining("retry") },
      });
    });
  });

  describe("billing settings", () => {
    const url = "/api/v1/organizations/Acme-Corp/billing/settings";
    // Changing settings takes an admin's GitHub token; any key of the org reads them.
    const put = (payload: unknown, token = ADMIN_A) =>
      h.server.inject({ method: "PUT", url, headers: h.auth(token), payload: payload as string });
    const get = () => h.server.inject({ method: "GET", url, headers: h.auth(h.keyA) });

    it("starts with the defaults", async () => {
      expect((await get()).json()).toEqual({
        billingContacts: [],
        lowBalanceEmails: true,
        reviewCharging: "pull_request",
        chatFromNonWriters: false,
      });
    });

    it("turns chat from people without write access on and off", async () => {
      expect((await put({ chatFromNonWriters: true })).json()).toMatchObject({
        chatFromNonWriters: true,
        lowBalanceEmails: true,
      });
      expect((await h.store.accounts.get(h.orgA.id))!.settings.chatFromNonWriters).toBe(true);
      expect((await put({ chatFromNonWriters: false })).json().chatFromNonWriters).toBe(false);
      for (const bad of ["true", 1, null, { $ne: false }]) {
        expect((await put({ chatFromNonWriters: bad })).statusCode).toBe(400);
      }
      expect((await get()).json().chatFromNonWriters).toBe(false);
    });

    it("round-trips a partial update, lowercasing and deduplicating contacts", async () => {
      const res = await put({
        billingContacts: ["Billing@Acme.io", "billing@acme.io", "cfo@acme.io"],
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        billingContacts: ["billing@acme.io", "cfo@acme.io"],
        lowBalanceEmails: true,
        reviewCharging: "pull_request",
        chatFromNonWriters: false,
      });
      await put({ lowBalanceEmails: false });
      await put({ reviewCharging: "review_run" });
      const expected = {
        billingContacts: ["billing@acme.io", "cfo@acme.io"],
        lowBalanceEmails: false,
        reviewCharging: "review_run",
        chatFromNonWriters: false,
      };
      expect((await get()).json()).toEqual(expected);
      expect((await h.store.accounts.get(h.orgA.id))!.settings).toEqual(expected);
      // An empty update changes nothing.
      expect((await put({})).json()).toEqual(expected);
    });

    it("refuses bad settings and writes nothing", async () => {
      const before = await h.store.accounts.get(h.orgA.id);
      const bad: unknown[] = [
        { billingContacts: ["not-an-email"] },
        { billingContacts: Array.from({ length: 21 }, (_, i) => `p${i}@acme.io`) },
        { billingContacts: "billing@acme.io" },
        { billingContacts: [{ $gt: "" }] },
        { billingContacts: null },
        { lowBalanceEmails: "false" },
        { reviewCharging: "per_line" },
        { reviewCharging: { $ne: "x" } },
        { billingContacts: ["ok@acme.io"], unknown: true },
        { $set: { "settings.lowBalanceEmails": false } },
        [],
        null,
      ];
      for (const body of bad) {
        const res = await put(body);
        expect([body, res.statusCode]).toEqual([body, 400]);
        expect(res.json().error.code).toBe("invalid_request");
      }
      expect(await h.store.accounts.get(h.orgA.id)).toEqual(before);
    });
  });

  describe("API keys", () => {
    const url = "/api/v1/organizations/Acme-Corp/api-keys";

    it("creates a key (shown once), lists keys without secrets, and revokes", async () => {
      const created = await h.server.inject({
        method: "POST",
        url,
        headers: h.auth(ADMIN_A),
        payload: { name: "  Deploy bot " },
      });
      expect(created.statusCode).toBe(201);
      const key = created.json();
      expect(key).toEqual({
        id: expect.any(String),
        name: "Deploy bot",
        prefix: key.key.slice(0, 12),
        scope: "read",
        key: expect.stringMatching(/^jsp_[A-Za-z0-9_-]{43}$/),
        createdAt: expect.any(String),
      });
      // The new key works at once, and only the hash was stored.
      const use = await h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth(key.key),
      });
      expect(use.statusCode).toBe(200);
      expect(JSON.stringify(await h.store.apiKeys.list(h.orgA.id))).not.toContain(key.key);

      const list = await h.server.inject({ method: "GET", url, headers: h.auth(h.keyA) });
      expect(list.statusCode).toBe(200);
      const keys = list.json().apiKeys;
      expect(keys.map((k: { name: string }) => k.name)).toEqual(["Deploy bot", "ci"]);
      expect(keys[0]).toEqual({
        id: key.id,
        name: "Deploy bot",
        prefix: key.prefix,
        scope: "read",
        createdAt: key.createdAt,
        lastUsedAt: expect.any(String),
        revokedAt: null,
      });
      expect(list.body).not.toContain(key.key);

      const del = await h.server.inject({
        method: "DELETE",
        url: `${url}/${key.id}`,
        headers: h.auth(ADMIN_A),
      });
      expect(del.statusCode).toBe(204);
      expect(del.body).toBe("");
      const after = await h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth(key.key),
      });
      expect(after.statusCode).toBe(401);
      const listed = (
        await h.server.inject({ method: "GET", url, headers: h.auth(ADMIN_A) })
      ).json();
      expect(listed.apiKeys[0].revokedAt).toEqual(expect.any(String));
      // Revoking again is still a success; an unknown id is not.
      expect(
        (
          await h.server.inject({
            method: "DELETE",
            url: `${url}/${key.id}`,
            headers: h.auth(ADMIN_A),
          })
        ).statusCode,
      ).toBe(204);
      expect(
        (await h.server.inject({ method: "DELETE", url: `${url}/nope`, headers: h.auth(ADMIN_A) }))
          .statusCode,
      ).toBe(404);
    });

    it("needs an admin's GitHub token to create or revoke, not an API key", async () => {
      const post = await h.server.inject({
        method: "POST",
        url,
        headers: h.auth(h.keyA),
        payload: { name: "x" },
      });
      expect(post.statusCode).toBe(403);
      expect(post.json().error.code).toBe("github_token_required");
      const [own] = await h.store.apiKeys.list(h.orgA.id);
      const del = await h.server.inject({
        method: "DELETE",
        url: `${url}/${own!.id}`,
        headers: h.auth(h.keyA),
      });
      expect(del.statusCode).toBe(403);
      expect((await h.store.apiKeys.list(h.orgA.id))[0]!.revokedAt).toBeNull();
    });

    it("cannot revoke another org's key through one's own org", async () => {
      const [keyOfB] = await h.store.apiKeys.list(h.orgB.id);
      const res = await h.server.inject({
        method: "DELETE",
        url: `${url}/${keyOfB!.id}`,
        headers: h.auth(ADMIN_A),
      });
      expect(res.statusCode).toBe(404);
      expect((await h.store.apiKeys.list(h.orgB.id))[0]!.revokedAt).toBeNull();
    });

    it("refuses bad names", async () => {
      for (const name of ["", "   ", "x".repeat(101), "bell\u0007", { $gt: "" }, 5]) {
        const res = await h.server.inject({
          method: "POST",
          url,
          headers: h.auth(ADMIN_A),
          payload: { name },
        });
        expect([name, res.statusCode]).toEqual([name, 400]);
      }
      expect(await h.store.apiKeys.list(h.orgA.id)).toHaveLength(1);
    });

    it("caps the number of active keys", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) {
        statuses.push(
          (
            await h.server.inject({
              method: "POST",
              url,
              headers: h.auth(ADMIN_A),
              payload: { name: `k${i}` },
            })
          ).statusCode,
        );
      }
      expect(statuses.filter((s) => s === 201)).toHaveLength(24);
      expect(statuses.at(-1)).toBe(409);
    });
  });

  describe("errors", () => {
    it("answers unknown routes and methods with a JSON 404", async () => {
      for (const [method, url] of [
        ["GET", "/api/v1/nope"],
        ["GET", "/api/v1/organizations/Acme-Corp/billing/nope"],
        ["PATCH", "/api/v1/organizations/Acme-Corp/billing/settings"],
        ["POST", "/api/v1/billing/packages"],
      ] as const) {
        const res = await h.server.inject({ method, url, headers: h.auth(h.keyA) });
        expect([url, res.statusCode]).toEqual([url, 404]);
        expect(res.json()).toEqual({ error: { code: "not_found", message: "Not found" } });
      }
    });

    it("answers bodies it cannot read with a 4xx JSON error", async () => {
      const url = "/api/v1/organizations/Acme-Corp/billing/settings";
      const cases = [
        {
          headers: { "content-type": "application/json" },
          payload: "{bad",
          status: 400,
          code: "invalid_json",
        },
        {
          headers: { "content-type": "application/json" },
          payload: "",
          status: 400,
          code: "invalid_json",
        },
        {
          headers: { "content-type": "application/json" },
          payload: '{"__proto__":{"x":1}}',
          status: 400,
          code: "invalid_json",
        },
        {
          headers: { "content-type": "application/xml" },
          payload: "<a/>",
          status: 415,
          code: "unsupported_media_type",
        },
        {
          headers: { "content-type": "application/json" },
          payload: JSON.stringify({ billingContacts: ["a".repeat(20_000)] }),
          status: 413,
          code: "payload_too_large",
        },
      ];
      for (const c of cases) {
        const res = await h.server.inject({
          method: "PUT",
          url,
          headers: { ...h.auth(ADMIN_A), ...c.headers },
          payload: c.payload,
        });
        expect([c.code, res.statusCode, res.json().error.code]).toEqual([c.code, c.status, c.code]);
      }
    });
  });

  describe("GET /openapi.json", () => {
    it("documents every route with its parameters, bodies and responses", async () => {
      const res = await h.server.inject({ method: "GET", url: "/api/v1/openapi.json" });
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc.openapi).toBe("3.0.3");
      const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
        ([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
      );
      expect(ops.sort()).toEqual(
        [
          "GET /api/v1/billing/packages",
          "POST /api/v1/billing/calculator",
          "GET /api/v1/organizations/{org}/billing",
          "GET /api/v1/organizations/{org}/billing/transactions",
          "GET /api/v1/organizations/{org}/billing/invoices",
          "POST /api/v1/organizations/{org}/billing/checkout",
          "GET /api/v1/organizations/{org}/billing/settings",
          "PUT /api/v1/organizations/{org}/billing/settings",
          "GET /api/v1/organizations/{org}/budgets",
          "PUT /api/v1/organizations/{org}/budgets",
          "GET /api/v1/organizations/{org}/reviews/paused",
          "POST /api/v1/organizations/{org}/api-keys",
          "GET /api/v1/organizations/{org}/api-keys",
          "DELETE /api/v1/organizations/{org}/api-keys/{id}",
          "GET /api/v1/organizations/{org}/audit-log",
          "GET /api/v1/me",
          "GET /api/v1/dashboard/status",
          "GET /api/v1/organizations/{org}/billing/usage",
          "GET /api/v1/organizations/{org}/billing/spend",
          "GET /api/v1/organizations/{org}/billing/payment-method",
          "POST /api/v1/organizations/{org}/billing/payment-method/setup",
          "DELETE /api/v1/organizations/{org}/billing/payment-method",
          "DELETE /api/v1/organizations/{org}/learnings/{id}",
          "GET /api/v1/organizations/{org}/learnings",
          "GET /api/v1/organizations/{org}/billing/auto-top-up",
          "PUT /api/v1/organizations/{org}/billing/auto-top-up",
          "GET /api/v1/organizations/{org}/billing/status",
          "POST /api/v1/organizations/{org}/billing/subscription",
          "PUT /api/v1/organizations/{org}/billing/subscription",
          "POST /api/v1/organizations/{org}/billing/subscription/cancel",
          "POST /api/v1/organizations/{org}/billing/subscription/reactivate",
          "POST /api/v1/organizations/{org}/billing/portal",
        ].sort(),
      );
      const tx = doc.paths["/api/v1/organizations/{org}/billing/transactions"].get;
      expect(
        tx.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`).sort(),
      ).toEqual([
        "path:org",
        "query:cursor",
        "query:format",
        "query:from",
        "query:limit",
        "query:to",
        "query:type",
      ]);
      expect(tx.parameters.find((p: { name: string }) => p.name === "limit").schema).toEqual({
        type: "integer",
        minimum: 1,
        maximum: 100,
      });
      expect(Object.keys(tx.responses["200"].content).sort()).toEqual([
        "application/json",
        "text/csv",
      ]);
      expect(tx.security).toEqual([{ bearer: [] }]);

      const checkout = doc.paths["/api/v1/organizations/{org}/billing/checkout"].post;
      expect(checkout.requestBody.content["application/json"].schema).toMatchObject({
        type: "object",
        properties: { package: { type: "string" } },
        required: ["package"],
        additionalProperties: false,
      });
      expect(checkout.parameters).toContainEqual(
        expect.objectContaining({ in: "header", name: "idempotency-key" }),
      );
      expect(Object.keys(checkout.responses)).toEqual(
        expect.arrayContaining(["201", "400", "401", "404", "429", "503"]),
      );

      const settings = doc.paths["/api/v1/organizations/{org}/billing/settings"].put;
      expect(
        Object.keys(settings.requestBody.content["application/json"].schema.properties).sort(),
      ).toEqual(["billingContacts", "chatFromNonWriters", "lowBalanceEmails", "reviewCharging"]);
      expect(doc.paths["/api/v1/billing/packages"].get.security).toBeUndefined();
      expect(doc.paths["/api/v1/billing/calculator"].post.security).toBeUndefined();
      expect(doc.components.securitySchemes.bearer).toMatchObject({
        type: "http",
        scheme: "bearer",
      });

      // Every $ref points at a component that exists, and only used components are listed.
      const refs = [...res.body.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(refs)).toEqual(new Set(Object.keys(doc.components.schemas)));
      expect(doc.components.schemas.Transaction.properties).toHaveProperty("pullRequest");
    });
  });
});
