import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { AttemptOutcome } from "../../src/billing/top-up-attempt-store.js";
import { createTopUpDeclines } from "../../src/billing/top-up-declines.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";

/** Three declines in a row switch auto top-up off, once; anything else between keeps it on. */
const acme = toAccountId(9001);
const T0 = new Date("2026-11-20T10:00:00Z");
const hours = (n: number) => new Date(T0.getTime() + n * 60 * 60_000);

async function setUp() {
  const store = createMemoryStore();
  await store.autoTopUp.save(
    acme,
    {
      enabled: true,
      packageId: "growth",
      thresholdCredits: 10,
      monthlyMaxCount: 9,
      monthlyMaxCents: 500_000,
    },
    T0,
  );
  const switchedOff: string[] = [];
  let clock = T0;
  const follow = createTopUpDeclines({
    attempts: store.topUpAttempts,
    settings: store.autoTopUp,
    onSwitchedOff: async (attempt) => {
      switchedOff.push(attempt.attemptKey);
    },
    now: () => clock,
  });
  /** One attempt, begun an hour after the previous, settled with `outcome` and followed up. */
  const attempt = async (i: number, outcome: AttemptOutcome) => {
    clock = hours(i);
    const key = `auto-top-up:9001:entry-${i}`;
    const begun = await store.topUpAttempts.begin({
      attemptKey: key,
      accountId: acme,
      packageId: "growth",
      credits: 500,
      priceCents: 12250,
      currency: "usd",
      customerId: "cus_TAcme9001",
      paymentMethodId: "pm_1Visa9001",
      createdAt: clock,
    });
    expect(begun.status).toBe("begun");
    const settled = await store.topUpAttempts.settle(acme, key, outcome, clock);
    if (!settled) throw new Error("not settled");
    await follow(settled, outcome);
    // A replay of the same follow-up changes nothing more.
    await follow(settled, outcome);
  };
  const enabled = async () => (await store.autoTopUp.find(acme))?.enabled;
  return { store, attempt, enabled, switchedOff };
}

describe("declined top-ups", () => {
  it("switch auto top-up off after three in a row, said once", async () => {
    const t = await setUp();
    await t.attempt(0, "declined");
    await t.attempt(1, "declined");
    expect(await t.enabled()).toBe(true);
    await t.attempt(2, "declined");
    expect(await t.store.autoTopUp.find(acme)).toMatchObject({
      enabled: false,
      switchedOffBecause: "declined",
    });
    expect(t.switchedOff).toStrictEqual(["auto-top-up:9001:entry-2"]);
  });

  it("keep it on when a payment or an authentication request breaks the streak", async () => {
    const t = await setUp();
    await t.attempt(0, "declined");
    await t.attempt(1, "declined");
    await t.attempt(2, "paid");
    await t.attempt(3, "declined");
    await t.attempt(4, "authentication_required");
    await t.attempt(5, "declined");
    expect(await t.enabled()).toBe(true);
    expect(t.switchedOff).toHaveLength(0);
  });

  it("skip Stripe's own failures, which say nothing about the card", async () => {
    const t = await setUp();
    await t.attempt(0, "declined");
    await t.attempt(1, "failed");
    await t.attempt(2, "declined");
    expect(await t.enabled()).toBe(true);
    await t.attempt(3, "declined");
    expect(await t.enabled()).toBe(false);
  });
});
