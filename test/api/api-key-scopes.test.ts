import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

const ADMIN_A = "admin-acme-corp";
const ORG = "/api/v1/organizations/Acme-Corp";

// Each harness holds Redis connections and queues: close what a test opened.
afterEach(closeHarnesses);

describe("API key scopes", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });
  const call = (
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    token: string,
    payload?: object,
  ) =>
    h.server.inject({
      method,
      url: `${ORG}${path}`,
      headers: h.auth(token),
      ...(payload ? { payload } : {}),
    });
  /** What a refused request must leave alone (lastUsedAt moves with successful reads). */
  const snapshot = async () => ({
    account: await h.store.accounts.get(h.orgA.id),
    keys: (await h.store.apiKeys.list(h.orgA.id)).map(({ lastUsedAt: _l, ...k }) => k),
    checkouts: h.checkouts.length,
  });
  const hijack = {
    billingContacts: ["attacker@evil.example"],
    lowBalanceEmails: false,
    reviewCharging: "review_run",
  };

  it("lets a read key read everything, and refuses it every change with a 403", async () => {
    for (const path of ["/billing", "/billing/transactions", "/billing/settings", "/api-keys"]) {
      expect([path, (await call("GET", path, h.keyA)).statusCode]).toEqual([path, 200]);
    }
    const before = await snapshot();
    const [own] = await h.store.apiKeys.list(h.orgA.id);
    const refusals = [
      [await call("PUT", "/billing/settings", h.keyA, hijack), "github_token_required"],
      [
        await call("POST", "/billing/checkout", h.keyA, { package: "growth" }),
        "insufficient_scope",
      ],
      [await call("POST", "/api-keys", h.keyA, { name: "mine" }), "github_token_required"],
      [
        await call("POST", "/api-keys", h.keyA, { name: "w", scope: "write" }),
        "github_token_required",
      ],
      [await call("DELETE", `/api-keys/${own!.id}`, h.keyA), "github_token_required"],
    ] as const;
    for (const [res, code] of refusals) {
      expect([code, res.statusCode]).toEqual([code, 403]);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
    }
    expect(refusals[1][0].json().error.message).toMatch(/write key/);
    expect(await snapshot()).toEqual(before);
  });

  it("lets a write key buy credits and read, but not change settings or manage keys", async () => {
    const writeKey = await h.addKey(h.orgA, "write");
    expect((await call("GET", "/billing", writeKey)).statusCode).toBe(200);
    const checkout = await call("POST", "/billing/checkout", writeKey, { package: "growth" });
    expect(checkout.statusCode).toBe(201);
    expect(h.checkouts).toEqual([expect.objectContaining({ accountId: 101, packageId: "growth" })]);

    const before = await snapshot();
    const settings = await call("PUT", "/billing/settings", writeKey, hijack);
    expect(settings.statusCode).toBe(403);
    expect(settings.json().error.code).toBe("github_token_required");
    const create = await call("POST", "/api-keys", writeKey, { name: "more", scope: "write" });
    expect(create.statusCode).toBe(403);
    const [own] = await h.store.apiKeys.list(h.orgA.id);
    expect((await call("DELETE", `/api-keys/${own!.id}`, writeKey)).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it("keeps another org's write key out with the 404 of an unknown org", async () => {
    const writeKeyB = await h.addKey(h.orgB, "write");
    const cross = await call("POST", "/billing/checkout", writeKeyB, { package: "growth" });
    const unknown = await h.server.inject({
      method: "POST",
      url: "/api/v1/organizations/no-such-org/billing/checkout",
      headers: h.auth(writeKeyB),
      payload: { package: "growth" },
    });
    expect(cross.statusCode).toBe(404);
    expect(cross.body).toBe(unknown.body);
    expect(h.checkouts).toHaveLength(0);
  });

  it("creates read keys unless an admin asks for a write key", async () => {
    const reader = await call("POST", "/api-keys", ADMIN_A, { name: "reader" });
    expect(reader.statusCode).toBe(201);
    expect(reader.json().scope).toBe("read");
    const writer = await call("POST", "/api-keys", ADMIN_A, { name: "buyer", scope: "write" });
    expect(writer.statusCode).toBe(201);
    expect(writer.json().scope).toBe("write");

    const buy = (token: string) => call("POST", "/billing/checkout", token, { package: "growth" });
    expect((await buy(reader.json().key)).statusCode).toBe(403);
    expect((await buy(writer.json().key)).statusCode).toBe(201);
    const listed = (await call("GET", "/api-keys", h.keyA)).json().apiKeys;
    expect(listed.map((k: { name: string; scope: string }) => [k.name, k.scope])).toEqual([
      ["buyer", "write"],
      ["reader", "read"],
      ["ci", "read"],
    ]);

    for (const scope of ["admin", "WRITE", "", null, 1, ["write"]]) {
      const res = await call("POST", "/api-keys", ADMIN_A, { name: "x", scope });
      expect([scope, res.statusCode]).toEqual([scope, 400]);
    }
    expect(await h.store.apiKeys.countActive(h.orgA.id)).toBe(3);
  });

  it("lets an admin's GitHub token change settings", async () => {
    const res = await call("PUT", "/billing/settings", ADMIN_A, { lowBalanceEmails: false });
    expect(res.statusCode).toBe(200);
    expect((await h.store.accounts.get(h.orgA.id))!.settings.lowBalanceEmails).toBe(false);
  });
});
