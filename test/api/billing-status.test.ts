import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { SubscriptionState } from "../../src/billing/subscription-store.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";
import { prRef } from "../support/ledger-fixture.js";

afterEach(closeHarnesses);

describe("GET /organizations/:org/billing/status", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness({ env: { FREE_REVIEWS_PER_MONTH: "10" } });
  });

  const get = (org = "Acme-Corp", token = h.keyA) =>
    h.server.inject({
      method: "GET",
      url: `/api/v1/organizations/${org}/billing/status`,
      headers: h.auth(token),
    });

  /** A review of pull request `n` by `author` (null: an entry from before authors were kept). */
  const review = (accountId: AccountId, key: string, n: number, author: string | null) =>
    h.ledger.charge(accountId, {
      action: "review",
      description: `Review of #${n}`,
      reference: { ...prRef(n), ...(author ? { author } : {}) },
      idempotencyKey: key,
    });

  const subscription = (over: Partial<SubscriptionState> = {}): SubscriptionState => ({
    accountId: h.orgA.id,
    customerId: "cus_a",
    subscriptionId: "sub_a",
    plan: "team",
    interval: "year",
    status: "active",
    currentPeriodStart: new Date("2026-10-15T09:00:00Z"),
    currentPeriodEnd: new Date("2027-10-15T09:00:00Z"),
    cancelAtPeriodEnd: false,
    updatedAt: new Date("2026-10-15T09:00:01Z"),
    ...over,
  });

  it("shows Free without a subscription, with the calendar month's seats", async () => {
    h.clock.set("2026-11-20T12:00:00Z");
    await review(h.orgA.id, "c1", 1, "alice");
    await review(h.orgA.id, "c2", 2, "Alice"); // one person: logins ignore case
    await review(h.orgA.id, "c3", 3, "bob");
    await review(h.orgA.id, "c4", 4, null);
    // A refunded review (a failed one) reviewed nobody.
    await review(h.orgA.id, "c5", 5, "carol");
    expect(await h.ledger.refund(h.orgA.id, { chargeKey: "c5" })).toMatchObject({
      status: "created",
    });
    await review(h.orgB.id, "b1", 9, "mallory"); // another account's
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      organization: "Acme-Corp",
      stripeConfigured: false,
      plan: { id: "free", name: "Free", creditsPerMonth: 10, seatLimit: null },
      interval: null,
      status: null,
      currentPeriod: null,
      planMonth: null,
      cancelAtPeriodEnd: false,
      scheduledChange: null,
      custom: null,
      paymentFailed: false,
      banner: null,
      seats: {
        used: 2,
        limit: null,
        withoutAuthor: 1,
        from: "2026-11-01T00:00:00.000Z",
        to: "2026-12-01T00:00:00.000Z",
      },
      // The paid plans to choose from (the Plan page's cards), Free not among them, priced in
      // what a subscription checkout would charge: USD before a first payment.
      currency: "usd",
      plans: [
        {
          id: "pro",
          name: "Pro",
          creditsPerMonth: 200,
          monthlyCents: 4900,
          annualCents: 49000,
          monthly: "49.00",
          annual: "490.00",
          seatLimit: null,
        },
        {
          id: "team",
          name: "Team",
          creditsPerMonth: 750,
          monthlyCents: 14900,
          annualCents: 149000,
          monthly: "149.00",
          annual: "1490.00",
          seatLimit: null,
        },
      ],
    });
  });

  it("prices the plans in the billing currency once a payment fixed it", async () => {
    await h.store.accounts.fixBillingCurrency(h.orgA.id, "eur");
    await h.store.accounts.fixBillingCurrency(h.orgB.id, "gbp");
    const body = (await get()).json();
    expect(body.currency).toBe("eur");
    expect(
      body.plans.map((p: { id: string; monthly: string; annual: string; monthlyCents: number }) => [
        p.id,
        p.monthlyCents,
        p.monthly,
        p.annual,
      ]),
    ).toEqual([
      ["pro", 4500, "45.00", "450.00"],
      ["team", 13900, "139.00", "1390.00"],
    ]);
    const other = (await get("Globex", h.keyB)).json();
    expect([other.currency, other.plans[0].monthly]).toEqual(["gbp", "39.00"]);
  });

  it("shows the subscription's plan, period and plan month, seats counted from the plan month", async () => {
    h.clock.set("2026-11-14T12:00:00Z");
    await review(h.orgA.id, "c1", 1, "alice"); // the month before the plan month
    h.clock.set("2026-11-20T12:00:00Z");
    await review(h.orgA.id, "c2", 2, "bob");
    await h.store.subscriptions.put(subscription({ cancelAtPeriodEnd: true }));
    const body = (await get()).json();
    expect(body).toMatchObject({
      plan: { id: "team", name: "Team", creditsPerMonth: 750, seatLimit: null },
      interval: "year",
      status: "active",
      currentPeriod: { start: "2026-10-15T09:00:00.000Z", end: "2027-10-15T09:00:00.000Z" },
      planMonth: { start: "2026-11-15T09:00:00.000Z", end: "2026-12-15T09:00:00.000Z" },
      cancelAtPeriodEnd: true,
      paymentFailed: false,
      seats: { used: 1, from: "2026-11-15T09:00:00.000Z", to: "2026-12-15T09:00:00.000Z" },
    });
  });

  it("says the downgrade scheduled for the period's end until it takes effect (issue 20)", async () => {
    h.clock.set("2026-11-20T12:00:00Z");
    const effectiveAt = new Date("2027-10-15T09:00:00Z");
    await h.store.subscriptions.put(
      subscription({ scheduledChange: { plan: "pro", interval: "month", effectiveAt } }),
    );
    expect((await get()).json()).toMatchObject({
      plan: { id: "team" },
      interval: "year",
      scheduledChange: { plan: "pro", interval: "month", at: "2027-10-15T09:00:00.000Z" },
    });
    // Its date passed before Stripe's event of the switch arrived: no longer "coming".
    h.clock.set("2027-10-15T09:00:00Z");
    expect((await get()).json()).toMatchObject({ plan: { id: "team" }, scheduledChange: null });
    // A subscription that ended says none.
    h.clock.set("2026-11-20T12:00:00Z");
    await h.store.subscriptions.put(
      subscription({
        status: "canceled",
        scheduledChange: { plan: "pro", interval: "month", effectiveAt },
        updatedAt: new Date("2026-11-20T12:00:00Z"),
      }),
    );
    expect((await get()).json()).toMatchObject({ plan: { id: "free" }, scheduledChange: null });
  });

  it("says payment failed while Stripe retries, and shows Free once the subscription ends", async () => {
    h.clock.set("2026-11-20T12:00:00Z");
    await h.store.subscriptions.put(subscription({ status: "past_due" }));
    expect((await get()).json()).toMatchObject({
      plan: { id: "team" },
      status: "past_due",
      paymentFailed: true,
      banner: { level: "payment_failed", message: expect.stringContaining("Team plan") },
    });
    await h.store.subscriptions.put(
      subscription({ status: "canceled", updatedAt: new Date("2026-11-20T00:00:00Z") }),
    );
    expect((await get()).json()).toMatchObject({
      plan: { id: "free" },
      status: "canceled",
      paymentFailed: false,
      banner: null,
      planMonth: null,
      seats: { from: "2026-11-01T00:00:00.000Z" },
    });
  });

  it("never shows another organization's subscription", async () => {
    h.clock.set("2026-11-20T12:00:00Z");
    await h.store.subscriptions.put(
      subscription({ accountId: h.orgB.id, subscriptionId: "sub_b" }),
    );
    expect((await get("Globex", h.keyA)).statusCode).toBe(404);
    expect((await get()).json()).toMatchObject({ plan: { id: "free" }, status: null });
    expect((await get("Globex", h.keyB)).json()).toMatchObject({ plan: { id: "team" } });
  });
});
