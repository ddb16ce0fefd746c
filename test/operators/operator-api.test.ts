import { afterEach, describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import { toAccountId } from "../../src/accounts/types.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

const TOKEN = "op_9f2c4e1a7b3d5f6e8a0c2e4b6d8f0a1c";
const WRONG = "op_wrong_token_wrong_token_wrong_00";

afterEach(closeHarnesses);

async function operatorHarness(lines: string[] = []): Promise<ApiHarness> {
  const log = pino({ level: "trace" }, { write: (line: string) => void lines.push(line) });
  return createApiHarness({ env: { OPERATOR_TOKEN: TOKEN }, log });
}

const call = (
  h: ApiHarness,
  method: "GET" | "POST",
  url: string,
  payload?: unknown,
  token = TOKEN,
) =>
  h.server.inject({
    method,
    url: `/api/operator/v1${url}`,
    headers: { authorization: `Bearer ${token}`, "x-operator": "alice" },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

describe("the operator API", () => {
  it("does not exist without OPERATOR_TOKEN", async () => {
    const h = await createApiHarness();
    for (const [method, url] of [
      ["GET", "/accounts"],
      ["POST", "/accounts/Acme-Corp/grants"],
      ["GET", "/ledger/verify"],
    ] as const) {
      const res = await call(h, method, url, method === "POST" ? { amount: 5 } : undefined);
      expect(res.statusCode).toBe(404);
    }
  });

  it("answers 401 to a missing or wrong token, and never logs the token", async () => {
    const lines: string[] = [];
    const h = await operatorHarness(lines);
    const grant = { amount: 5, reason: "goodwill" };
    expect((await call(h, "POST", "/accounts/Acme-Corp/grants", grant, WRONG)).statusCode).toBe(
      401,
    );
    const none = await h.server.inject({ method: "GET", url: "/api/operator/v1/accounts" });
    expect(none.statusCode).toBe(401);
    // A billing API key is not an operator token either.
    expect((await call(h, "GET", "/accounts", undefined, h.keyA)).statusCode).toBe(401);
    expect((await h.ledger.summary(h.orgA.id)).balance).toBe(3);
    // A good request logs too; neither token appears anywhere.
    expect((await call(h, "GET", "/accounts")).statusCode).toBe(200);
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join("\n");
    expect(all).not.toContain(WRONG);
    expect(all).not.toContain(TOKEN);
  });

  it("asks for the token before anything else, and takes the operator's name from X-Operator", async () => {
    const h = await operatorHarness();
    const unknown = await h.server.inject({ method: "GET", url: "/api/operator/v1/nothing" });
    expect(unknown.statusCode).toBe(401);
    const named = await h.server.inject({
      method: "POST",
      url: "/api/operator/v1/accounts/Acme-Corp/grants",
      headers: { authorization: `Bearer ${TOKEN}`, "x-operator": "x".repeat(101) },
      payload: { amount: 1, reason: "r" },
    });
    expect(named.statusCode).toBe(400);
    const anonymous = await h.server.inject({
      method: "POST",
      url: "/api/operator/v1/accounts/Acme-Corp/grants",
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { amount: 1, reason: "r", idempotencyKey: "anon-1" },
    });
    expect(anonymous.statusCode).toBe(201);
    const [entry] = await h.store.audit.list(h.orgA.id, { limit: 1 });
    expect(entry?.actor).toEqual({ kind: "operator", name: "operator-api" });
  });

  it("grants bonus credits once per key, audited as the operator through the operator API", async () => {
    const h = await operatorHarness();
    const body = { amount: 50, reason: "referral from Globex", idempotencyKey: "ref-1" };
    const first = await call(h, "POST", "/accounts/acme-corp/grants", body);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      status: "created",
      account: "Acme-Corp",
      entry: { type: "bonus", amount: 50, balanceAfter: 53, description: "referral from Globex" },
    });
    const again = await call(h, "POST", "/accounts/101/grants", body);
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe("replayed");
    // The same key for another amount: refused, nothing written.
    const reused = await call(h, "POST", "/accounts/101/grants", { ...body, amount: 5 });
    expect(reused.statusCode).toBe(409);
    expect((await h.ledger.summary(h.orgA.id)).buckets.bonus).toBe(50);

    const audit = await h.store.audit.list(h.orgA.id, { limit: 10 });
    expect(audit.map((e) => [e.action, e.actor, e.interface])).toEqual([
      ["grant", { kind: "operator", name: "alice" }, "operator_api"],
    ]);
    expect(audit[0]!.details).toMatchObject({ amount: 50, reason: "referral from Globex" });
  });

  it("refuses bad input with a 4xx and writes nothing", async () => {
    const h = await operatorHarness();
    const cases: [string, unknown, number][] = [
      ["/accounts/Acme-Corp/grants", { amount: 5 }, 400],
      ["/accounts/Acme-Corp/grants", { amount: 5, reason: "  " }, 400],
      ["/accounts/Acme-Corp/grants", { amount: -5, reason: "x" }, 400],
      ["/accounts/Acme-Corp/grants", { amount: 1.5, reason: "x" }, 400],
      ["/accounts/Acme-Corp/grants", { amount: 5, reason: "x", expiresAt: "2020-01-01" }, 400],
      ["/accounts/Acme-Corp/grants", { amount: 5, reason: "x" }, 400],
      ["/accounts/nobody-here/grants", { amount: 5, reason: "x", idempotencyKey: "k" }, 404],
      ["/accounts/Acme-Corp/adjustments", { amount: 0, reason: "x" }, 400],
      ["/accounts/Acme-Corp/adjustments", { amount: -5 }, 400],
      ["/accounts/Acme-Corp/adjustments", { amount: -5, reason: "x", bucket: "gold" }, 400],
      ["/accounts/Acme-Corp/adjustments", { amount: -5, reason: "x" }, 400],
      ["/accounts/999999/adjustments", { amount: -5, reason: "x", idempotencyKey: "k" }, 404],
    ];
    for (const [url, body, status] of cases) {
      const res = await call(h, "POST", url, body);
      expect([url, body, res.statusCode]).toEqual([url, body, status]);
      expect(res.json().error.code).toEqual(expect.any(String));
    }
    const expiry = await call(h, "POST", "/accounts/Acme-Corp/grants", {
      amount: 5,
      reason: "x",
      expiresAt: "2020-01-01",
      idempotencyKey: "exp-1",
    });
    expect(expiry.json().error.message).toMatch(/must be in the future/);
    expect((await h.ledger.list(h.orgA.id, { limit: 100 })).entries).toHaveLength(1);
    expect(await h.store.audit.list(h.orgA.id, { limit: 10 })).toEqual([]);
  });

  it("adjusts down never below zero, recording what could not be taken", async () => {
    const h = await operatorHarness();
    await h.ledger.grant(h.orgA.id, {
      type: "purchase",
      amount: 4,
      description: "credits",
      idempotencyKey: "p1",
    });
    const res = await call(h, "POST", "/accounts/Acme-Corp/adjustments", {
      amount: -10,
      reason: "chargeback",
      idempotencyKey: "cb-1",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().entry).toMatchObject({ amount: -4, uncollected: 6, balanceAfter: 3 });
    const [entry] = await h.store.audit.list(h.orgA.id, { limit: 10 });
    expect(entry).toMatchObject({
      action: "adjustment",
      actor: { kind: "operator", name: "alice" },
      interface: "operator_api",
      details: { requested: -10, amount: -4, uncollected: 6, reason: "chargeback" },
    });
    // A retry of the same adjustment is the same entry, not a second one.
    const again = await call(h, "POST", "/accounts/Acme-Corp/adjustments", {
      amount: -10,
      reason: "chargeback",
      idempotencyKey: "cb-1",
    });
    expect(again.json().status).toBe("replayed");
    const adjustments = await h.store.audit.list(h.orgA.id, {
      actions: ["adjustment"],
      limit: 10,
    });
    expect(adjustments).toHaveLength(1);
  });

  it("adjusts purchased and free credits up, each audited with what was applied", async () => {
    const h = await operatorHarness();
    const before = await h.ledger.summary(h.orgA.id);
    for (const [bucket, amount] of [
      ["purchased", 7],
      ["free", 2],
    ] as const) {
      const res = await call(h, "POST", "/accounts/Acme-Corp/adjustments", {
        amount,
        bucket,
        reason: `goodwill ${bucket}`,
        idempotencyKey: `up-${bucket}`,
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().entry).toMatchObject({ amount, uncollected: 0 });
    }
    const after = await h.ledger.summary(h.orgA.id);
    expect(after.buckets).toEqual({
      ...before.buckets,
      purchased: before.buckets.purchased + 7,
      free: before.buckets.free + 2,
    });
    const audited = await h.store.audit.list(h.orgA.id, { actions: ["adjustment"], limit: 10 });
    expect(audited.map((a) => a.details).reverse()).toEqual([
      expect.objectContaining({
        requested: 7,
        amount: 7,
        bucket: "purchased",
        reason: "goodwill purchased",
      }),
      expect.objectContaining({ requested: 2, amount: 2, bucket: "free", reason: "goodwill free" }),
    ]);
  });

  it("shows an account, lists accounts, sweeps one, reads its audit log, verifies the ledger", async () => {
    const h = await operatorHarness();
    // Globex's money moved last.
    h.clock.set("2026-11-10T13:00:00Z");
    await h.ledger.grant(h.orgB.id, {
      type: "purchase",
      amount: 100,
      description: "credits",
      idempotencyKey: "p1",
    });
    const shown = await call(h, "GET", "/accounts/Acme-Corp");
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({
      account: { id: 101, login: "Acme-Corp", status: "active" },
      balance: 3,
      buckets: { free: 3, plan: 0, bonus: 0, purchased: 0 },
      settings: { lowBalanceEmails: true },
      openRuns: [],
      lastEntries: [{ type: "free_tier", amount: 3 }],
    });
    expect((await call(h, "GET", "/accounts/nobody-here")).statusCode).toBe(404);

    const low = await call(h, "GET", "/accounts?by=balance");
    expect(low.json().accounts.map((a: { login: string }) => a.login)).toEqual(["Acme-Corp"]);
    const recent = await call(h, "GET", "/accounts?by=activity");
    expect(recent.json().accounts.map((a: { login: string }) => a.login)).toEqual([
      "Globex",
      "Acme-Corp",
    ]);
    expect((await call(h, "GET", "/accounts?by=nothing")).statusCode).toBe(400);
    // A page at a time: the next page starts from the cursor the page before handed out.
    const one = (await call(h, "GET", "/accounts?by=activity&limit=1")).json();
    expect(one.accounts.map((a: { login: string }) => a.login)).toEqual(["Globex"]);
    const rest = (await call(h, "GET", `/accounts?by=activity&limit=1&cursor=${one.next}`)).json();
    expect(rest.accounts.map((a: { login: string }) => a.login)).toEqual(["Acme-Corp"]);
    const bad = await call(h, "GET", `/accounts?by=balance&cursor=${one.next}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("invalid_input");
    expect((await call(h, "POST", "/listings/repair")).json()).toEqual({
      repair: { accounts: 2, repaired: 0 },
    });

    const swept = await call(h, "POST", "/accounts/Acme-Corp/sweep");
    expect(swept.json()).toEqual({
      sweep: { resumed: 0, requeued: 0, failed: 0, settled: 0, errors: 0 },
    });
    expect((await call(h, "POST", "/accounts/nobody-here/sweep")).statusCode).toBe(404);

    await call(h, "POST", "/accounts/Acme-Corp/grants", {
      amount: 2,
      reason: "sorry",
      idempotencyKey: "sorry-1",
    });
    const log = await call(h, "GET", "/accounts/Acme-Corp/audit-log?action=grant");
    expect(log.json().entries).toHaveLength(1);

    const verified = await call(h, "GET", "/ledger/verify");
    expect(verified.json()).toMatchObject({ accounts: 2, problemCount: 0 });
    expect(toAccountId(101)).toBe(h.orgA.id);
  });
});
