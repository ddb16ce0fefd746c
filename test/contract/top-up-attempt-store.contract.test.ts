import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { NewTopUpAttempt } from "../../src/billing/top-up-attempt-store.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const T0 = new Date("2026-12-15T10:00:00.250Z");
const attempt = (accountId: AccountId, entry: string, at = T0): NewTopUpAttempt => ({
  attemptKey: `auto-top-up:${accountId}:${entry}`,
  accountId,
  packageId: "growth",
  credits: 500,
  priceCents: 12250,
  currency: "usd",
  customerId: "cus_TAcme",
  paymentMethodId: "pm_1Visa",
  createdAt: at,
});
const fresh = { state: "in_flight", paymentIntent: null, outcome: null, settledAt: null };

describe.each(storeFactories())("top-up attempt store contract: $name", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("records an attempt in flight, once per key, and finds it only in its account", async () => {
    const { topUpAttempts: store } = await create();
    const account = newAccountId();
    const input = attempt(account, "e1");
    expect(await store.begin(input)).toStrictEqual({
      status: "begun",
      attempt: { ...input, ...fresh },
    });
    expect(await store.begin({ ...input, priceCents: 1 })).toStrictEqual({
      status: "exists",
      attempt: { ...input, ...fresh },
    });
    const found = await store.find(account, input.attemptKey);
    expect(found).toStrictEqual({ ...input, ...fresh });
    found!.createdAt.setUTCFullYear(2000);
    expect(await store.find(account, input.attemptKey)).toStrictEqual({ ...input, ...fresh });
    expect(await store.find(newAccountId(), input.attemptKey)).toBeNull();
  });

  it("lets one of many concurrent attempts of an account in, and others' accounts too", async () => {
    const { topUpAttempts: store } = await create();
    const account = newAccountId();
    const other = newAccountId();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.begin(attempt(account, `e${i}`))),
    );
    expect(results.filter((r) => r.status === "begun")).toHaveLength(1);
    expect(results.filter((r) => r.status === "busy")).toHaveLength(49);
    expect((await store.begin(attempt(other, "e1"))).status).toBe("begun");
    // Settled, the next one may begin.
    const winner = results.find((r) => r.status === "begun");
    const key = winner?.status === "begun" ? winner.attempt.attemptKey : "";
    expect(await store.settle(account, key, "declined", T0)).toMatchObject({
      state: "failed",
      outcome: "declined",
      settledAt: T0,
    });
    expect((await store.begin(attempt(account, "later"))).status).toBe("begun");
  });

  it("settles an attempt once, and links one payment intent to one attempt", async () => {
    const { topUpAttempts: store } = await create();
    const account = newAccountId();
    const a = attempt(account, "e1");
    await store.begin(a);
    expect(await store.linkPaymentIntent(account, a.attemptKey, "pi_1")).toBe(true);
    expect(await store.linkPaymentIntent(account, a.attemptKey, "pi_1")).toBe(true);
    expect(await store.linkPaymentIntent(account, a.attemptKey, "pi_2")).toBe(false);
    expect(await store.linkPaymentIntent(newAccountId(), a.attemptKey, "pi_1")).toBe(false);
    expect(await store.findByPaymentIntentAcrossAccounts("pi_1")).toMatchObject({
      attemptKey: a.attemptKey,
      paymentIntent: "pi_1",
    });
    expect(await store.findByPaymentIntentAcrossAccounts("pi_2")).toBeNull();

    const settled = await store.settle(account, a.attemptKey, "paid", T0);
    expect(settled).toStrictEqual({
      ...a,
      state: "succeeded",
      paymentIntent: "pi_1",
      outcome: "paid",
      settledAt: T0,
    });
    expect(await store.settle(account, a.attemptKey, "declined", T0)).toBeNull();

    const b = attempt(account, "e2");
    await store.begin(b);
    // pi_1 is a's.
    expect(await store.linkPaymentIntent(account, b.attemptKey, "pi_1")).toBe(false);
  });

  it("lists the attempts since a time and any still in flight, newest first", async () => {
    const { topUpAttempts: store } = await create();
    const account = newAccountId();
    const old = attempt(account, "old", new Date("2026-11-30T10:00:00Z"));
    await store.begin(old);
    await store.settle(account, old.attemptKey, "paid", T0);
    const mid = attempt(account, "mid", new Date("2026-12-01T10:00:00Z"));
    await store.begin(mid);
    await store.settle(account, mid.attemptKey, "failed", T0);
    const late = attempt(account, "late", new Date("2026-12-02T10:00:00Z"));
    await store.begin(late);
    await store.begin(attempt(newAccountId(), "x"));

    const since = new Date("2026-12-01T00:00:00Z");
    expect((await store.recent(account, since)).map((a) => a.attemptKey)).toEqual([
      late.attemptKey,
      mid.attemptKey,
    ]);
    // One in flight from before `since` is listed all the same.
    expect(
      (await store.recent(account, new Date("2026-12-03T00:00:00Z"))).map((a) => a.attemptKey),
    ).toEqual([late.attemptKey]);
  });

  it("settles a declined attempt paid when Stripe confirms its payment, and never back", async () => {
    const { topUpAttempts: store } = await create();
    const account = newAccountId();
    const a = attempt(account, "e1");
    await store.begin(a);
    await store.settle(account, a.attemptKey, "declined", T0);
    expect(await store.settle(account, a.attemptKey, "authentication_required", T0)).toBeNull();
    const T1 = new Date(T0.getTime() + 60_000);
    expect(await store.settle(account, a.attemptKey, "paid", T1)).toMatchObject({
      state: "succeeded",
      outcome: "paid",
      settledAt: T1,
    });
    expect(await store.settle(account, a.attemptKey, "paid", T1)).toBeNull();
    expect(await store.settle(account, a.attemptKey, "declined", T1)).toBeNull();
    expect(await store.find(account, a.attemptKey)).toMatchObject({ outcome: "paid" });
  });
});
