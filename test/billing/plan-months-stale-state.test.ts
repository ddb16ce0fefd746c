import { afterEach, describe, expect, it } from "@jest/globals";
import {
  applySubscriptionState,
  rollPlanMonths,
  type PlanMonthDeps,
} from "../../src/billing/plan-months.js";
import { parsePlans, planCatalog } from "../../src/billing/plans.js";
import type { SubscriptionState } from "../../src/billing/subscription-store.js";
import { makeLedger, newAccountId, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

describe.each(storeFactories())(
  "a subscription state arriving out of order ($name store)",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    // The plan bucket's second review found this (issue 20).
    it("does not replace a newer state, so the next months keep the plan paid for", async () => {
      const store = await create();
      const clock = new TestClock(new Date("2026-12-15T09:00:10Z"));
      const { ledger } = makeLedger(store, clock, 0);
      const deps: PlanMonthDeps = {
        ledger,
        subscriptions: store.subscriptions,
        plans: planCatalog(parsePlans(undefined), 0),
        now: clock.now,
      };
      const base: SubscriptionState = {
        accountId: newAccountId(),
        customerId: "cus_a",
        subscriptionId: "sub_stale",
        plan: "team",
        interval: "year",
        status: "active",
        currentPeriodStart: new Date("2026-12-15T09:00:00Z"),
        currentPeriodEnd: new Date("2027-12-15T09:00:00Z"),
        cancelAtPeriodEnd: false,
        updatedAt: new Date("2026-12-15T09:00:05Z"),
      };
      await applySubscriptionState(deps, base);
      // The Pro state from before the upgrade to Team, delivered late.
      expect(
        await applySubscriptionState(deps, {
          ...base,
          plan: "pro",
          updatedAt: new Date("2026-12-15T09:00:01Z"),
        }),
      ).toEqual({ status: "stale" });
      expect((await store.subscriptions.find("sub_stale"))?.plan).toBe("team");
      clock.set("2027-01-15T09:00:00Z");
      await rollPlanMonths(deps);
      expect((await ledger.summary(base.accountId)).buckets.plan).toBe(750);
    });
  },
);
