import { afterEach, describe, expect, it } from "@jest/globals";
import {
  addMonths,
  applySubscriptionState,
  planMonthAt,
  rollPlanMonths,
  type PlanMonthDeps,
} from "../../src/billing/plan-months.js";
import { parsePlans, planCatalog } from "../../src/billing/plans.js";
import type { SubscriptionState } from "../../src/billing/subscription-store.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { makeLedger, newAccountId, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const annual = (over: Partial<SubscriptionState> = {}): SubscriptionState => ({
  accountId: newAccountId(),
  customerId: "cus_a",
  subscriptionId: "sub_annual",
  plan: "pro",
  interval: "year",
  status: "active",
  currentPeriodStart: new Date("2026-12-15T09:00:00Z"),
  currentPeriodEnd: new Date("2027-12-15T09:00:00Z"),
  cancelAtPeriodEnd: false,
  updatedAt: new Date("2026-12-15T09:00:01Z"),
  ...over,
});

/** What invoice.paid applies a state with: the period running now is paid for. */
const paid = { invoicePaid: true };

describe("plan months", () => {
  it("steps a month on the same day, or the shorter month's last day", () => {
    const jan31 = new Date("2027-01-31T10:00:00Z");
    expect(addMonths(jan31, 1).toISOString()).toBe("2027-02-28T10:00:00.000Z");
    expect(addMonths(jan31, 2).toISOString()).toBe("2027-03-31T10:00:00.000Z");
    expect(addMonths(new Date("2027-12-15T00:00:00Z"), 1).toISOString()).toBe(
      "2028-01-15T00:00:00.000Z",
    );
  });

  it("splits an annual period into twelve months, the last ending with the period", () => {
    const s = annual();
    expect(planMonthAt(s, new Date("2026-12-15T08:59:59Z"))).toBeNull();
    expect(planMonthAt(s, new Date("2027-01-01T00:00:00Z"))).toEqual({
      start: new Date("2026-12-15T09:00:00Z"),
      end: new Date("2027-01-15T09:00:00Z"),
    });
    const starts = new Set<string>();
    for (let d = 0; d < 365; d++) {
      const at = new Date(s.currentPeriodStart.getTime() + d * 86_400_000);
      starts.add(planMonthAt(s, at)!.start.toISOString());
    }
    expect(starts.size).toBe(12);
    expect(planMonthAt(s, new Date("2027-12-15T08:00:00Z"))!.end).toEqual(s.currentPeriodEnd);
    expect(planMonthAt(s, s.currentPeriodEnd)).toBeNull();
  });
});

describe.each(storeFactories())(
  "granting plan months on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function setup(at: string) {
      const store = await create();
      const clock = new TestClock(new Date(at));
      const { ledger } = makeLedger(store, clock, 0);
      const deps: PlanMonthDeps = {
        ledger,
        subscriptions: store.subscriptions,
        plans: planCatalog(parsePlans(undefined), 0),
        now: clock.now,
      };
      return { store, clock, ledger, deps };
    }

    it("grants an annual plan month by month across a month and a year boundary", async () => {
      const { store, clock, ledger, deps } = await setup("2026-12-15T09:00:02Z");
      const s = annual();
      // The state alone is no payment: the first month waits for its paid invoice.
      expect(await applySubscriptionState(deps, s)).toEqual({
        status: "not_due",
        reason: "awaiting_invoice",
      });
      expect(await rollPlanMonths(deps)).toBe(0);
      expect(await applySubscriptionState(deps, s, paid)).toMatchObject({
        status: "created",
        entry: { amount: 200 },
      });
      // Redelivered: the same month, once.
      expect(await applySubscriptionState(deps, s, paid)).toMatchObject({ status: "replayed" });
      clock.set("2026-12-31T23:59:00Z");
      expect(await rollPlanMonths(deps)).toBe(0);
      // Across the year boundary, still the first month; the second starts on 15 January.
      clock.set("2027-01-01T00:01:00Z");
      expect(await rollPlanMonths(deps)).toBe(0);
      expect((await ledger.summary(s.accountId)).buckets.plan).toBe(200);
      clock.set("2027-01-15T09:00:00Z");
      expect((await ledger.summary(s.accountId)).buckets.plan).toBe(0);
      expect(await rollPlanMonths(deps)).toBe(1);
      expect(await rollPlanMonths(deps)).toBe(0);
      expect((await ledger.summary(s.accountId)).buckets.plan).toBe(200);
      const grants = (await ledger.list(s.accountId, { types: ["plan"] })).entries;
      expect(grants.map((e) => e.planExpiresAt?.toISOString())).toEqual([
        "2027-02-15T09:00:00.000Z",
        "2027-01-15T09:00:00.000Z",
      ]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("grants nothing for an unpaid renewal, outside the period, or another account's id", async () => {
      const { ledger, deps } = await setup("2026-12-20T00:00:00Z");
      const s = annual({ status: "past_due" });
      expect(await applySubscriptionState(deps, s, paid)).toEqual({
        status: "not_due",
        reason: "unpaid",
      });
      expect(await rollPlanMonths(deps)).toBe(0);
      const theirs = { ...s, accountId: newAccountId(), status: "active" as const };
      expect(await applySubscriptionState(deps, theirs, paid)).toBeNull();
      expect((await ledger.summary(theirs.accountId)).buckets.plan).toBe(0);
      const ended = annual({
        subscriptionId: "sub_old",
        currentPeriodStart: new Date("2025-01-01T00:00:00Z"),
        currentPeriodEnd: new Date("2026-01-01T00:00:00Z"),
      });
      expect(await applySubscriptionState(deps, ended, paid)).toEqual({
        status: "not_due",
        reason: "outside_period",
      });
    });

    it("grants an upgrade's difference this month at once, and a downgrade nothing more", async () => {
      const { ledger, deps } = await setup("2026-12-20T00:00:00Z");
      const s = annual();
      // An upgrade of a month not granted (its invoice not paid yet) grants nothing.
      await applySubscriptionState(deps, { ...s, subscriptionId: "sub_unpaid" });
      expect(
        await applySubscriptionState(deps, { ...s, subscriptionId: "sub_unpaid", plan: "team" }),
      ).toEqual({ status: "not_due", reason: "awaiting_invoice" });
      await applySubscriptionState(deps, s, paid);
      expect(await applySubscriptionState(deps, { ...s, plan: "team" })).toMatchObject({
        status: "created",
        entry: { amount: 550 },
      });
      // Back down: nothing more this month (Stripe switches the plan at the period's end).
      expect(await applySubscriptionState(deps, { ...s, plan: "pro" })).toEqual({
        status: "not_due",
        reason: "awaiting_invoice",
      });
      expect((await ledger.summary(s.accountId)).buckets.plan).toBe(750);
    });
  },
);
