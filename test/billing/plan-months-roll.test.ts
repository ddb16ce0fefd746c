import { afterEach, describe, expect, it } from "@jest/globals";
import { applySubscriptionState, rollPlanMonths } from "../../src/billing/plan-months.js";
import type { SubscriptionStatus } from "../../src/billing/subscription-store.js";
import { newAccountId } from "../support/ledger-fixture.js";
import {
  annualState,
  paid,
  planMonthSetup,
  subscriptionState,
} from "../support/plan-month-fixtures.js";
import { storeFactories } from "../support/stores.js";

describe.each(storeFactories())("the month roll on the $name store", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("grants every subscription's month, page after page, a last page full or not", async () => {
    const { deps, clock, ledger } = await planMonthSetup(create, "2026-12-15T09:00:05Z");
    const subs = [1, 2, 3, 4, 5].map((n) =>
      annualState({ accountId: newAccountId(), subscriptionId: `sub_roll_${n}` }),
    );
    for (const s of subs) await applySubscriptionState(deps, s, paid);
    clock.set("2027-01-15T09:00:00Z");
    expect(await rollPlanMonths(deps, 2)).toBe(5);
    clock.set("2027-02-15T09:00:00Z");
    // Five on pages of five: a full page, then an empty one.
    expect(await rollPlanMonths(deps, 5)).toBe(5);
    for (const s of subs) expect((await ledger.summary(s.accountId)).buckets.plan).toBe(200);
  });

  /** A monthly Pro subscription whose December month was paid and granted. */
  async function grantedDecember() {
    const setup = await planMonthSetup(create, "2026-12-15T09:00:05Z");
    const s = subscriptionState();
    await applySubscriptionState(setup.deps, s, paid);
    return { ...setup, s };
  }
  const renewal = {
    currentPeriodStart: new Date("2027-01-15T09:00:00Z"),
    currentPeriodEnd: new Date("2027-02-15T09:00:00Z"),
    updatedAt: new Date("2027-01-15T09:00:02Z"),
  };

  // Read from the store, not the ledger: a ledger read would write what is due itself.
  const expiredTheMonth = async (
    store: Awaited<ReturnType<typeof grantedDecember>>["store"],
    s: { accountId: ReturnType<typeof newAccountId> },
  ) => {
    const expirations = await store.ledger.list(s.accountId, { types: ["expiration"], limit: 5 });
    expect(expirations.map((e) => [e.amount, e.bucketsAfter.plan])).toEqual([[-200, 0]]);
  };

  it.each<SubscriptionStatus>(["past_due", "unpaid"])(
    "writes the ended month's expiration of a %s subscription, granting it nothing",
    async (status) => {
      const { store, deps, clock, s } = await grantedDecember();
      await store.subscriptions.put({ ...s, ...renewal, status });
      clock.set("2027-01-15T09:00:10Z");
      expect(await rollPlanMonths(deps)).toBe(0);
      await expiredTheMonth(store, s);
    },
  );

  it("writes the ended month's expiration of a renewal awaiting its invoice", async () => {
    const { store, deps, clock, s } = await grantedDecember();
    clock.set("2027-01-15T09:00:05Z");
    expect(await applySubscriptionState(deps, { ...s, ...renewal })).toEqual({
      status: "not_due",
      reason: "awaiting_invoice",
    });
    expect(await rollPlanMonths(deps)).toBe(0);
    await expiredTheMonth(store, s);
  });

  it("writes the ended month's expiration of a subscription whose renewal is not recorded yet", async () => {
    const { store, deps, clock, s } = await grantedDecember();
    clock.set("2027-01-15T09:00:05Z");
    expect(await rollPlanMonths(deps)).toBe(0);
    await expiredTheMonth(store, s);
  });
});
