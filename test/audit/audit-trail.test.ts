import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { recordSignIn } from "../../src/audit/record-sign-in.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";
import {
  billingHarness,
  mockPaymentIntent,
  recordCheckout,
  signedStripeDelivery,
  stripeEvent,
} from "../support/stripe-test-kit.js";

const ADMIN_A = "admin-acme-corp";
const ADMIN_B = "admin-globex";

afterEach(closeHarnesses);

describe("the audit log API", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });

  const auditLog = (token: string, org = "Acme-Corp", query = "") =>
    h.server.inject({
      method: "GET",
      url: `/api/v1/organizations/${org}/audit-log${query}`,
      headers: h.auth(token),
    });

  it("records settings changes and API keys with the GitHub user who made them", async () => {
    const put = await h.server.inject({
      method: "PUT",
      url: "/api/v1/organizations/Acme-Corp/billing/settings",
      headers: h.auth(ADMIN_A),
      payload: { lowBalanceEmails: false, billingContacts: ["Billing@Acme.example"] },
    });
    expect(put.statusCode).toBe(200);
    const created = await h.server.inject({
      method: "POST",
      url: "/api/v1/organizations/Acme-Corp/api-keys",
      headers: h.auth(ADMIN_A),
      payload: { name: "deploy", scope: "write" },
    });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json() as { id: string; key: string };
    for (let i = 0; i < 2; i++) {
      const revoked = await h.server.inject({
        method: "DELETE",
        url: `/api/v1/organizations/Acme-Corp/api-keys/${id}`,
        headers: h.auth(ADMIN_A),
      });
      expect(revoked.statusCode).toBe(204);
    }

    const res = await auditLog(h.keyA);
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries as Record<string, unknown>[];
    const admin = { kind: "github_user", id: 1, login: "admin-of-acme-corp" };
    // Newest first; the second revocation of the same key is not a second entry.
    expect(entries.map((e) => [e.action, e.actor, e.interface])).toEqual([
      ["api_key_revoked", admin, "api"],
      ["api_key_created", admin, "api"],
      ["settings_changed", admin, "api"],
    ]);
    expect(entries[2]!.details).toEqual({
      before: { billingContacts: [], lowBalanceEmails: true },
      after: { billingContacts: ["billing@acme.example"], lowBalanceEmails: false },
    });
    expect(entries[1]!.details).toEqual({ keyId: id, name: "deploy", scope: "write" });
    // Never the key itself, nor its hash.
    expect(res.body).not.toContain(key);
  });

  it("records automatic refunds with the app as actor, and sign-ins from the dashboard", async () => {
    await h.ledger.charge(h.orgA.id, {
      action: "review",
      description: "Review of acme/app#1",
      reference: { kind: "pull_request", repository: "acme/app", number: 1 },
      idempotencyKey: "charge-1",
    });
    await h.ledger.refund(h.orgA.id, { chargeKey: "charge-1" });
    await h.ledger.refund(h.orgA.id, { chargeKey: "charge-1" });
    await recordSignIn(h.jasper.audit, {
      accountId: h.orgA.id,
      user: { id: 7, login: "octo" },
      sessionId: "s1",
    });
    const entries = (await auditLog(ADMIN_A)).json().entries as Record<string, unknown>[];
    expect(entries.map((e) => [e.action, e.actor, e.interface])).toEqual([
      ["sign_in", { kind: "github_user", id: 7, login: "octo" }, "dashboard"],
      ["refund", { kind: "app" }, "app"],
    ]);
    expect(entries[1]!.details).toMatchObject({ type: "refund", amount: 1 });
  });

  it("filters by action and dates, pages newest first", async () => {
    for (let i = 1; i <= 5; i++) {
      h.clock.set(`2026-11-0${i}T12:00:00Z`);
      await h.jasper.audit.record({
        accountId: h.orgA.id,
        actor: { kind: "app" },
        action: i % 2 ? "grant" : "refund",
        interface: "app",
        details: { i },
      });
    }
    const grants = await auditLog(h.keyA, "Acme-Corp", "?action=grant&limit=2");
    expect(grants.json().entries.map((e: { details: { i: number } }) => e.details.i)).toEqual([
      5, 3,
    ]);
    const next = await auditLog(
      h.keyA,
      "Acme-Corp",
      `?action=grant&limit=2&cursor=${grants.json().nextCursor as string}`,
    );
    expect(next.json()).toMatchObject({ nextCursor: null });
    expect(next.json().entries.map((e: { details: { i: number } }) => e.details.i)).toEqual([1]);
    const ranged = await auditLog(h.keyA, "Acme-Corp", "?from=2026-11-02&to=2026-11-04");
    expect(ranged.json().entries.map((e: { details: { i: number } }) => e.details.i)).toEqual([
      3, 2,
    ]);
    expect((await auditLog(h.keyA, "Acme-Corp", "?action=nope")).statusCode).toBe(400);
    expect((await auditLog(h.keyA, "Acme-Corp", "?cursor=bad")).statusCode).toBe(400);
  });

  it("shows an account's admins only their own account's log", async () => {
    await recordSignIn(h.jasper.audit, {
      accountId: h.orgA.id,
      user: { id: 7, login: "octo" },
      sessionId: "s1",
    });
    await recordSignIn(h.jasper.audit, {
      accountId: h.orgB.id,
      user: { id: 8, login: "gl" },
      sessionId: "s2",
    });
    expect((await auditLog(ADMIN_B, "Acme-Corp")).statusCode).toBe(404);
    expect((await auditLog(h.keyB, "Acme-Corp")).statusCode).toBe(404);
    expect((await auditLog("nobody", "Acme-Corp")).statusCode).toBe(401);
    const own = (await auditLog(ADMIN_B, "Globex")).json().entries as { actor: unknown }[];
    expect(own.map((e) => e.actor)).toEqual([{ kind: "github_user", id: 8, login: "gl" }]);
  });
});

describe("purchases in the audit log", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("one entry per granted purchase, with Stripe as actor, however often it is delivered", async () => {
    const h = await billingHarness();
    try {
      await recordCheckout(h.store);
      mockPaymentIntent("pi_3Jasper0Growth9001", undefined, 2);
      const event = stripeEvent("checkout.session.completed", {
        id: "evt_1Audit",
        object: {},
      });
      for (let i = 0; i < 2; i++) {
        expect((await h.server.inject(signedStripeDelivery(event))).statusCode).toBe(200);
      }
      const entries = await h.store.audit.list(toAccountId(9001), { limit: 10 });
      expect(entries.map((e) => [e.action, e.actor, e.interface, e.details.amount])).toEqual([
        ["purchase", { kind: "stripe" }, "webhook", 500],
      ]);
    } finally {
      await h.server.close();
    }
  });
});
