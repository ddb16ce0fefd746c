import { afterEach, describe, expect, it } from "@jest/globals";
import { applySubscriptionState, rollPlanMonths } from "../../src/billing/plan-months.js";
import { planMonthKey } from "../../src/ledger/plan-bucket.js";
import {
  annualState,
  paid,
  planMonthSetup,
  subscriptionState,
} from "../support/plan-month-fixtures.js";
import { storeFactories } from "../support/stores.js";

/**
 * The invoice list reads a plan invoice's credits from the grant under the month's own key
 * (invoice-events.ts names it by subscription and the period's start): a month's grant, by its
 * invoice or by the roll, must be written under that key, never under an upgrade's.
 */
describe.each(storeFactories())(
  "a plan month's grant under the key its invoice names ($name)",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("is the paid invoice's month", async () => {
      const { deps, store } = await planMonthSetup(create, "2026-12-15T09:00:10Z");
      const s = subscriptionState();
      await applySubscriptionState(deps, s, paid);
      const key = planMonthKey(s.subscriptionId, s.currentPeriodStart);
      expect(await store.ledger.rowByKey(s.accountId, key)).toMatchObject({
        type: "plan",
        amount: 200,
      });
    });

    it("is an annual plan's later month, granted by the roll", async () => {
      const { deps, store, clock } = await planMonthSetup(create, "2026-12-15T09:00:10Z");
      const s = annualState();
      await applySubscriptionState(deps, s, paid);
      clock.set("2027-01-15T09:00:10Z");
      expect(await rollPlanMonths(deps)).toBe(1);
      const key = planMonthKey(s.subscriptionId, new Date("2027-01-15T09:00:00Z"));
      expect(await store.ledger.rowByKey(s.accountId, key)).toMatchObject({
        type: "plan",
        amount: 200,
      });
    });
  },
);
