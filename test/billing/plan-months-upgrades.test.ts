import { afterEach, describe, expect, it } from "@jest/globals";
import { setEnterprisePlan } from "../../src/billing/enterprise-plan.js";
import { applySubscriptionState } from "../../src/billing/plan-months.js";
import { newAccountId } from "../support/ledger-fixture.js";
import {
  annualState,
  paid,
  planMonthSetup,
  subscriptionState,
} from "../support/plan-month-fixtures.js";
import { storeFactories } from "../support/stores.js";

const plan = (id: string, creditsPerMonth: number) => ({
  id,
  name: id[0]!.toUpperCase() + id.slice(1),
  creditsPerMonth,
  monthlyCents: creditsPerMonth * 25,
  annualCents: creditsPerMonth * 250,
});
/** Pro and Team as by default, Studio with Pro's credits, Max above Team. */
const PLANS = JSON.stringify([
  plan("pro", 200),
  plan("studio", 200),
  plan("team", 750),
  plan("max", 2000),
]);
const later = (n: number) => new Date(Date.parse("2026-12-15T09:00:01Z") + n * 1000);

describe.each(storeFactories())(
  "a plan change within a paid month on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function paidProMonth(over = {}) {
      const setup = await planMonthSetup(create, "2026-12-20T00:00:00Z", PLANS);
      const s = subscriptionState(over);
      await applySubscriptionState(setup.deps, s, paid);
      const plan = async () => (await setup.ledger.summary(s.accountId)).buckets.plan;
      return { ...setup, s, plan };
    }

    // Stripe's prorated upgrade invoice can be paid, and its invoice.paid handled, before the
    // subscription's updated event: the paid state carries the new plan.
    it("grants the difference when the paid invoice is the first to say the plan went up", async () => {
      const { deps, s, plan } = await paidProMonth();
      const team = { ...s, plan: "team", updatedAt: later(10) };
      expect(await applySubscriptionState(deps, team, paid)).toMatchObject({
        status: "created",
        entry: { amount: 550 },
      });
      // Redelivered, and the updated event after it: nothing more.
      expect(await applySubscriptionState(deps, team, paid)).toMatchObject({ status: "replayed" });
      expect(await applySubscriptionState(deps, { ...team, updatedAt: later(20) })).toMatchObject({
        status: "not_due",
      });
      expect(await plan()).toBe(750);
    });

    it("grants each upgrade's difference up to the highest plan's credits, twice in a month", async () => {
      const { deps, s, plan } = await paidProMonth();
      await applySubscriptionState(deps, { ...s, plan: "team", updatedAt: later(10) });
      expect(
        await applySubscriptionState(deps, { ...s, plan: "max", updatedAt: later(20) }),
      ).toMatchObject({ status: "created", entry: { amount: 1250 } });
      expect(await plan()).toBe(2000);
    });

    it("answers a change to a plan of the same credits as any state: nothing granted", async () => {
      const { deps, s, plan } = await paidProMonth();
      expect(
        await applySubscriptionState(deps, { ...s, plan: "studio", updatedAt: later(10) }),
      ).toEqual({ status: "not_due", reason: "awaiting_invoice" });
      expect(await plan()).toBe(200);
    });

    it("takes a change from or to a plan no longer in the catalog as no upgrade", async () => {
      const { deps, s, plan } = await paidProMonth({ plan: "legacy" });
      expect(await plan()).toBe(0);
      const awaiting = { status: "not_due", reason: "awaiting_invoice" };
      expect(
        await applySubscriptionState(deps, { ...s, plan: "team", updatedAt: later(10) }),
      ).toEqual(awaiting);
      expect(
        await applySubscriptionState(deps, { ...s, plan: "gone", updatedAt: later(20) }),
      ).toEqual(awaiting);
    });

    // Stripe moves a trial's period end when the trial is extended: another period, whose
    // month its own paid invoice grants, not an upgrade of the month granted.
    it("takes a higher plan with another period as the new period's, not an upgrade", async () => {
      const { deps, s, plan } = await paidProMonth({ status: "trialing" });
      expect(
        await applySubscriptionState(deps, {
          ...s,
          plan: "team",
          currentPeriodEnd: new Date("2027-01-29T09:00:00Z"),
          updatedAt: later(10),
        }),
      ).toEqual({ status: "not_due", reason: "awaiting_invoice" });
      expect(await plan()).toBe(200);
    });

    it("grants an annual plan's later month on any state, ahead of the roll", async () => {
      const { deps, clock, ledger } = await planMonthSetup(create, "2026-12-15T09:00:05Z");
      const s = annualState();
      await applySubscriptionState(deps, s, paid);
      clock.set("2027-01-20T00:00:00Z");
      expect(
        await applySubscriptionState(deps, {
          ...s,
          cancelAtPeriodEnd: true,
          updatedAt: new Date("2027-01-20T00:00:00Z"),
        }),
      ).toMatchObject({ status: "created", entry: { amount: 200 } });
      expect((await ledger.summary(s.accountId)).buckets.plan).toBe(200);
    });

    it("grants an enterprise plan's difference when an operator raises its credits mid-month", async () => {
      const { deps, clock, ledger } = await planMonthSetup(create, "2026-12-15T09:00:00Z");
      const id = newAccountId();
      const terms = { name: "Enterprise Acme", priceCents: 250_000, daysUntilDue: 30 };
      await setEnterprisePlan(deps, id, { ...terms, creditsPerMonth: 5000 });
      clock.set("2026-12-20T09:00:00Z");
      const raised = await setEnterprisePlan(deps, id, { ...terms, creditsPerMonth: 8000 });
      expect(raised).toMatchObject({ grant: { status: "created", entry: { amount: 3000 } } });
      expect((await ledger.summary(id)).buckets.plan).toBe(8000);
    });
  },
);
