import { afterEach, describe, expect, it } from "@jest/globals";
import { applySubscriptionState, planMonthAt } from "../../src/billing/plan-months.js";
import {
  annualState,
  paid,
  planMonthSetup,
  subscriptionState,
} from "../support/plan-month-fixtures.js";
import { storeFactories } from "../support/stores.js";

const ms = (iso: string, delta = 0) => new Date(Date.parse(iso) + delta);

describe("the plan month of a period", () => {
  it("is a monthly period's whole period, from its start to just before its end", () => {
    const s = subscriptionState();
    const whole = { start: s.currentPeriodStart, end: s.currentPeriodEnd };
    expect(planMonthAt(s, ms("2026-12-15T09:00:00Z", -1))).toBeNull();
    expect(planMonthAt(s, ms("2026-12-15T09:00:00Z"))).toEqual(whole);
    expect(planMonthAt(s, ms("2027-01-15T09:00:00Z", -1))).toEqual(whole);
    // The end is the next period's: its credits expire then.
    expect(planMonthAt(s, ms("2027-01-15T09:00:00Z"))).toBeNull();
  });

  it("is one month for a monthly plan's period longer than a calendar month (a 45-day trial)", () => {
    const s = subscriptionState({
      status: "trialing",
      currentPeriodStart: new Date("2026-12-01T09:00:00Z"),
      currentPeriodEnd: new Date("2027-01-15T09:00:00Z"),
    });
    expect(planMonthAt(s, new Date("2027-01-10T00:00:00Z"))).toEqual({
      start: s.currentPeriodStart,
      end: s.currentPeriodEnd,
    });
  });

  it("ends an annual period's last month with the period when the period ends early", () => {
    const s = annualState({ currentPeriodEnd: new Date("2027-06-01T00:00:00Z") });
    expect(planMonthAt(s, new Date("2027-05-20T00:00:00Z"))).toEqual({
      start: new Date("2027-05-15T09:00:00Z"),
      end: new Date("2027-06-01T00:00:00Z"),
    });
    expect(planMonthAt(s, new Date("2027-06-01T00:00:00Z"))).toBeNull();
  });
});

describe.each(storeFactories())(
  "granting a paid month on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("grants a trial's period: trialing is paid (its invoice is the trial's)", async () => {
      const { ledger, deps } = await planMonthSetup(create, "2026-12-15T09:00:05Z");
      const s = subscriptionState({ status: "trialing" });
      expect(await applySubscriptionState(deps, s, paid)).toMatchObject({
        status: "created",
        entry: { amount: 200 },
      });
      expect((await ledger.summary(s.accountId)).buckets.plan).toBe(200);
    });

    it("describes the grant with the plan, its credits and the month's first day", async () => {
      const { ledger, deps } = await planMonthSetup(create, "2026-12-15T09:00:05Z");
      const s = subscriptionState();
      await applySubscriptionState(deps, s, paid);
      const [grant] = (await ledger.list(s.accountId, { types: ["plan"] })).entries;
      expect(grant?.description).toBe("Pro plan: 200 credits for the month from 2026-12-15");
    });

    it("grants nothing for a plan no longer in the catalog (PLANS changed), and does not fail", async () => {
      const { ledger, deps } = await planMonthSetup(create, "2026-12-15T09:00:05Z");
      const s = subscriptionState({ plan: "legacy" });
      expect(await applySubscriptionState(deps, s, paid)).toEqual({
        status: "not_due",
        reason: "unknown_plan",
      });
      expect((await ledger.summary(s.accountId)).buckets.plan).toBe(0);
    });
  },
);
