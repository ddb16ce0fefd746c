import { afterEach, describe, expect, it } from "@jest/globals";
import { applySubscriptionState } from "../../src/billing/plan-months.js";
import { paid, planMonthSetup, subscriptionState } from "../support/plan-month-fixtures.js";
import { storeFactories } from "../support/stores.js";

/** A period as [start, end) from two ISO times. */
const period = (start: string, end: string) => ({
  currentPeriodStart: new Date(start),
  currentPeriodEnd: new Date(end),
});

describe.each(storeFactories())(
  "a paid invoice with an older state on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("grants the month from the newer state recorded when it is the same period's", async () => {
      const { deps, ledger } = await planMonthSetup(create, "2026-12-15T09:00:10Z");
      const s = subscriptionState();
      // The upgrade to Team recorded first; invoice.paid read Stripe before it, still on Pro.
      await applySubscriptionState(deps, {
        ...s,
        plan: "team",
        updatedAt: new Date("2026-12-15T09:00:08Z"),
      });
      expect(await applySubscriptionState(deps, s, paid)).toMatchObject({
        status: "created",
        entry: { amount: 750 },
      });
      expect((await ledger.summary(s.accountId)).buckets.plan).toBe(750);
    });

    // The newer state's period has its own invoice: a paid invoice of another period (a late
    // retry of the last one) must not grant it, whichever of the period's bounds differs.
    it.each([
      ["the last period", period("2026-12-15T09:00:00Z", "2027-01-15T09:00:00Z")],
      ["a period of the same start", period("2027-01-15T09:00:00Z", "2027-02-01T09:00:00Z")],
      ["a period of the same end", period("2027-01-01T09:00:00Z", "2027-02-15T09:00:00Z")],
    ])("grants nothing for %s", async (_, older) => {
      const { deps, ledger } = await planMonthSetup(create, "2027-01-15T09:00:10Z");
      const s = subscriptionState({
        ...period("2027-01-15T09:00:00Z", "2027-02-15T09:00:00Z"),
        updatedAt: new Date("2027-01-15T09:00:08Z"),
      });
      await applySubscriptionState(deps, s);
      const late = { ...s, ...older, updatedAt: new Date("2027-01-15T09:00:01Z") };
      expect(await applySubscriptionState(deps, late, paid)).toEqual({ status: "stale" });
      expect((await ledger.summary(s.accountId)).buckets.plan).toBe(0);
    });
  },
);
