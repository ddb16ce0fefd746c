import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

afterEach(closeHarnesses);

describe("GET /organizations/:org/billing/spend", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });

  /** A Checkout purchase as Stripe's webhook grants it: a recorded session, then its entry. */
  async function buy(accountId: AccountId, at: string, n: number, credits: number, cents: number) {
    h.clock.set(at);
    const sessionId = `cs_test_${n}`;
    await h.store.checkoutSessions.record({
      sessionId,
      accountId,
      packageId: "p",
      credits,
      priceCents: cents,
      currency: "usd",
      createdAt: new Date(at),
    });
    await h.ledger.grant(accountId, {
      type: "purchase",
      amount: credits,
      description: "package",
      reference: { kind: "stripe", checkoutSession: sessionId },
      idempotencyKey: `purchase-${n}`,
    });
  }
  const get = (org = "Acme-Corp", token = h.keyA) =>
    h.server.inject({
      method: "GET",
      url: `/api/v1/organizations/${org}/billing/spend`,
      headers: h.auth(token),
    });

  it("adds up this month's and last month's purchases at their recorded prices", async () => {
    await buy(h.orgA.id, "2026-09-30T23:59:59Z", 1, 2000, 39600); // before last month: left out
    await buy(h.orgA.id, "2026-10-01T00:00:00Z", 2, 100, 3000);
    await buy(h.orgA.id, "2026-10-31T23:59:59Z", 3, 500, 12250);
    await buy(h.orgA.id, "2026-11-02T10:00:00Z", 4, 500, 12250);
    await buy(h.orgB.id, "2026-11-03T10:00:00Z", 5, 2000, 39600); // another account's
    // A purchase granted with no recorded session has no known price: left out.
    await h.ledger.grant(h.orgA.id, {
      type: "purchase",
      amount: 50,
      description: "no session",
      idempotencyKey: "purchase-x",
    });
    h.clock.set("2026-11-20T12:00:00Z");
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      organization: "Acme-Corp",
      currency: "usd",
      thisMonth: {
        month: "2026-11",
        purchases: 1,
        credits: 500,
        paid: "122.50",
        paidCents: 12250,
        perReview: "0.245",
      },
      lastMonth: {
        month: "2026-10",
        purchases: 2,
        credits: 600,
        paid: "152.50",
        paidCents: 15250,
        perReview: "0.2542",
      },
    });
  });

  it("says nothing was spent with no purchases, and no price per review", async () => {
    const body = (await get()).json();
    expect(body.thisMonth).toEqual({
      month: "2026-11",
      purchases: 0,
      credits: 0,
      paid: "0.00",
      paidCents: 0,
      perReview: null,
    });
    expect(body.lastMonth.month).toBe("2026-10");
  });

  it("never shows another organization's spend", async () => {
    await buy(h.orgB.id, "2026-11-03T10:00:00Z", 6, 2000, 39600);
    expect((await get("Globex", h.keyA)).statusCode).toBe(404);
    expect((await get()).json().thisMonth.paidCents).toBe(0);
  });

  describe("in the account's billing currency", () => {
    /** A purchase entry as the webhook writes it now: what Stripe charged on the entry. */
    const paid = (n: number, at: string, credits: number, cents: number, currency: string) => {
      h.clock.set(at);
      return h.ledger.grant(h.orgA.id, {
        type: "purchase",
        amount: credits,
        description: "package",
        reference: { kind: "stripe", paymentIntent: `pi_test_${n}`, paidCents: cents, currency },
        idempotencyKey: `paid-${n}`,
      });
    };
    const summary = () =>
      h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth(h.keyA),
      });

    it("counts only purchases paid in it, from the amounts on the entries", async () => {
      await h.store.accounts.fixBillingCurrency(h.orgA.id, "eur");
      await paid(1, "2026-10-15T10:00:00Z", 500, 11400, "eur");
      await paid(2, "2026-11-02T10:00:00Z", 100, 2800, "eur");
      await paid(3, "2026-11-03T10:00:00Z", 100, 3000, "usd"); // not its currency: left out
      h.clock.set("2026-11-20T12:00:00Z");
      const body = (await get()).json();
      expect(body.currency).toBe("eur");
      expect(body.thisMonth).toEqual({
        month: "2026-11",
        purchases: 1,
        credits: 100,
        paid: "28.00",
        paidCents: 2800,
        perReview: "0.28",
      });
      expect(body.lastMonth).toMatchObject({ purchases: 1, credits: 500, paidCents: 11400 });
    });

    it("values the balance at the latest purchase's price per credit, never an exchange rate", async () => {
      await h.store.accounts.fixBillingCurrency(h.orgA.id, "gbp");
      await paid(1, "2026-10-15T10:00:00Z", 100, 2400, "gbp"); // 24p a credit
      await paid(2, "2026-11-02T10:00:00Z", 500, 9800, "gbp"); // 19.6p a credit: the latest
      await paid(3, "2026-11-03T10:00:00Z", 100, 3000, "usd"); // another currency: not a price
      h.clock.set("2026-11-20T12:00:00Z");
      const body = (await summary()).json();
      // Balance: the free tier's credits plus 700 bought. By hand: balance × 9800 / 500.
      const balance = body.balance as number;
      expect(balance).toBeGreaterThan(700);
      expect(body.currency).toBe("gbp");
      expect(body.balanceValue).toEqual({
        amountCents: Math.round((balance * 9800) / 500),
        amount: ((balance * 9800) / 500 / 100).toFixed(2),
        perCredit: "0.196",
        pricedAt: "2026-11-02T10:00:00.000Z",
      });
    });

    it("has no value before any priced purchase in the currency", async () => {
      await paid(1, "2026-11-02T10:00:00Z", 100, 2800, "eur"); // never fixed: USD
      h.clock.set("2026-11-20T12:00:00Z");
      const body = (await summary()).json();
      expect(body.currency).toBe("usd");
      expect(body.balanceValue).toBeNull();
    });
  });
});
