import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { AttemptOutcome, TopUpAttempt } from "../../src/billing/top-up-attempt-store.js";
import { createTopUpDeclines, declinedInARow } from "../../src/billing/top-up-declines.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { GROWTH_SETTINGS, growthAttempt } from "../support/top-up-fixtures.js";

/**
 * The streak that switches auto top-up off is the account's newest three settled attempts
 * (Stripe's own failures left out), whatever else came before, and only a decline ends one.
 */
const acme = toAccountId(9001);
const T0 = new Date("2026-11-20T10:00:00Z");
const HOUR = 60 * 60_000;

/** A settled attempt, made `hour` hours after T0. */
const settled = (hour: number, outcome: AttemptOutcome): TopUpAttempt => ({
  ...growthAttempt(acme, `auto-top-up:9001:entry-${hour}`, new Date(T0.getTime() + hour * HOUR)),
  state: outcome === "paid" ? "succeeded" : "failed",
  paymentIntent: `pi_3Entry${hour}`,
  outcome,
  settledAt: new Date(T0.getTime() + hour * HOUR),
});

describe("declinedInARow", () => {
  it("reads the newest three settled attempts, in whatever order they are given", () => {
    const paidLast = [
      settled(0, "declined"),
      settled(1, "declined"),
      settled(2, "declined"),
      settled(3, "paid"),
    ];
    expect(declinedInARow(paidLast)).toBe(false);
    expect(declinedInARow([...paidLast].reverse())).toBe(false);

    const paidFirst = [
      settled(0, "paid"),
      settled(1, "declined"),
      settled(2, "declined"),
      settled(3, "declined"),
    ];
    expect(declinedInARow(paidFirst)).toBe(true);
    expect(declinedInARow([...paidFirst].reverse())).toBe(true);
    const shuffled = [paidFirst[2]!, paidFirst[0]!, paidFirst[3]!, paidFirst[1]!];
    expect(declinedInARow(shuffled)).toBe(true);
  });
});

/** An attempt begun and settled `hour` hours after `base`, as the job and the events do. */
async function settleAttempt(
  store: ReturnType<typeof createMemoryStore>,
  hour: number,
  outcome: AttemptOutcome,
  base = T0,
): Promise<TopUpAttempt> {
  const at = new Date(base.getTime() + hour * HOUR);
  const key = `auto-top-up:9001:entry-${hour}`;
  await store.topUpAttempts.begin(growthAttempt(acme, key, at));
  const done = await store.topUpAttempts.settle(acme, key, outcome, at);
  if (!done) throw new Error(`not settled: ${key}`);
  return done;
}

describe("the follow-up of a declined top-up", () => {
  /** An account with auto top-up on and the attempts given, all settled. */
  async function account(outcomes: Array<[number, AttemptOutcome]>, base = T0) {
    const store = createMemoryStore();
    await store.autoTopUp.save(acme, GROWTH_SETTINGS, base);
    const attempts: TopUpAttempt[] = [];
    for (const [hour, outcome] of outcomes) {
      attempts.push(await settleAttempt(store, hour, outcome, base));
    }
    return { store, attempts };
  }

  /** The follow-up on `store`, on the clock given, with the attempts it switched off for. */
  function followUp(store: ReturnType<typeof createMemoryStore>, now: () => Date) {
    const switchedOff: string[] = [];
    const follow = createTopUpDeclines({
      attempts: store.topUpAttempts,
      settings: store.autoTopUp,
      onSwitchedOff: async (attempt) => {
        switchedOff.push(attempt.attemptKey);
      },
      now,
    });
    return { follow, switchedOff };
  }

  it("switches off on the third decline in a row after a payment", async () => {
    const { store, attempts } = await account([
      [0, "paid"],
      [1, "declined"],
      [2, "declined"],
      [3, "declined"],
    ]);
    const { follow, switchedOff } = followUp(store, () => new Date(T0.getTime() + 3 * HOUR));
    await follow(attempts[3]!, "declined");
    expect(await store.autoTopUp.find(acme)).toMatchObject({
      enabled: false,
      switchedOffBecause: "declined",
    });
    expect(switchedOff).toStrictEqual(["auto-top-up:9001:entry-3"]);
  });

  it("switches off by the real clock, with nobody to tell, when neither is given", async () => {
    // Three declines in the last three hours of the real clock: inside the streak's window.
    const base = new Date(Date.now() - 3 * HOUR);
    const { store, attempts } = await account(
      [
        [0, "declined"],
        [1, "declined"],
        [2, "declined"],
      ],
      base,
    );
    const follow = createTopUpDeclines({
      attempts: store.topUpAttempts,
      settings: store.autoTopUp,
    });
    const before = Date.now();
    await follow(attempts[2]!, "declined");
    const record = await store.autoTopUp.find(acme);
    expect(record).toMatchObject({ enabled: false, switchedOffBecause: "declined" });
    expect(record?.updatedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(record?.updatedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("leaves it on after an admin switched it on again, when Stripe's own failure follows", async () => {
    const { store, attempts } = await account([
      [0, "declined"],
      [1, "declined"],
      [2, "declined"],
    ]);
    let clock = new Date(T0.getTime() + 2 * HOUR);
    const { follow, switchedOff } = followUp(store, () => clock);
    await follow(attempts[2]!, "declined");
    expect(switchedOff).toStrictEqual(["auto-top-up:9001:entry-2"]);

    clock = new Date(T0.getTime() + 5 * HOUR);
    await store.autoTopUp.save(acme, GROWTH_SETTINGS, clock);
    // Stripe refused the next request: that says nothing about the card.
    await follow(await settleAttempt(store, 5, "failed"), "failed");
    expect(await store.autoTopUp.find(acme)).toMatchObject({
      enabled: true,
      switchedOffBecause: null,
    });
    expect(switchedOff).toHaveLength(1);
  });

  it("starts a new streak when an admin switches it on again: one decline leaves it on, three switch it off", async () => {
    const { store, attempts } = await account([
      [0, "declined"],
      [1, "declined"],
      [2, "declined"],
    ]);
    let clock = new Date(T0.getTime() + 2 * HOUR);
    const { follow, switchedOff } = followUp(store, () => clock);
    await follow(attempts[2]!, "declined");

    // Switched on again (a new card, say) three hours later; the old declines are in the window.
    clock = new Date(T0.getTime() + 5 * HOUR);
    await store.autoTopUp.save(acme, GROWTH_SETTINGS, clock);
    const decline = async (hour: number) => {
      clock = new Date(T0.getTime() + hour * HOUR);
      await follow(await settleAttempt(store, hour, "declined"), "declined");
      return (await store.autoTopUp.find(acme))?.enabled;
    };
    expect(await decline(6)).toBe(true);
    expect(await decline(7)).toBe(true);
    expect(await decline(8)).toBe(false);
    expect(switchedOff).toStrictEqual(["auto-top-up:9001:entry-2", "auto-top-up:9001:entry-8"]);
  });

  it("skips Stripe's own failures inside a streak: declined, failed, declined, declined switches off", async () => {
    const { store, attempts } = await account([
      [0, "declined"],
      [1, "failed"],
      [2, "declined"],
      [3, "declined"],
    ]);
    const { follow } = followUp(store, () => new Date(T0.getTime() + 3 * HOUR));
    await follow(attempts[3]!, "declined");
    expect(await store.autoTopUp.find(acme)).toMatchObject({
      enabled: false,
      switchedOffBecause: "declined",
    });
  });

  it("does nothing, and does not fail, for an account with no auto top-up settings", async () => {
    const store = createMemoryStore();
    const at = new Date(T0.getTime() + 3 * HOUR);
    await settleAttempt(store, 0, "declined");
    await settleAttempt(store, 1, "declined");
    const last = await settleAttempt(store, 2, "declined");
    const { follow, switchedOff: told } = followUp(store, () => at);
    await follow(last, "declined");
    expect(await store.autoTopUp.find(acme)).toBeNull();
    expect(told).toEqual([]);
  });
});
