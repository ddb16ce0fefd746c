import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import {
  makeLedger,
  newAccountId,
  planGrant,
  reviewCharge,
  TestClock,
} from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * What a plan month's grants add up to (Ledger.planMonthGranted), and the edges of granting a
 * month (Ledger.grantPlan): the instant the month ends, and a month whose credits were spent.
 */

const NOV = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") };

describe.each(storeFactories())("plan month grants on the $name store", ({ create, cleanup }) => {
  afterEach(cleanup);

  async function setup(freePerMonth = 0) {
    const store = await create();
    const clock = new TestClock();
    const { ledger } = makeLedger(store, clock, freePerMonth);
    const id: AccountId = newAccountId();
    return { store, clock, ledger, id };
  }

  it("adds up the month's grant and its upgrades, and nothing else", async () => {
    const { ledger, id } = await setup();
    const plans = ["pro", "team"];
    expect(await ledger.planMonthGranted(id, "sub_1", NOV.start, plans)).toBe(0);

    await ledger.grantPlan(id, planGrant(NOV));
    expect(await ledger.planMonthGranted(id, "sub_1", NOV.start, plans)).toBe(5);
    // Not another subscription's month.
    expect(await ledger.planMonthGranted(id, "sub_2", NOV.start, plans)).toBe(0);

    const up = await ledger.grantPlan(
      id,
      planGrant(NOV, { plan: "team", credits: 8, upgrade: true, description: "Team plan credits" }),
    );
    expect(up).toMatchObject({ status: "created", entry: { amount: 3 } });
    expect(await ledger.planMonthGranted(id, "sub_1", NOV.start, plans)).toBe(8);
    // A plan named twice counts once; an upgrade to a plan not named is not counted.
    expect(await ledger.planMonthGranted(id, "sub_1", NOV.start, ["team", "team"])).toBe(8);
    expect(await ledger.planMonthGranted(id, "sub_1", NOV.start, ["pro"])).toBe(5);
  });

  it("refuses a month at the very instant it ends", async () => {
    const { ledger, clock, id } = await setup();
    clock.set(NOV.end.toISOString());
    expect(await ledger.grantPlan(id, planGrant(NOV))).toEqual({ status: "month_ended" });
    clock.set(new Date(NOV.end.getTime() - 1).toISOString());
    expect(await ledger.grantPlan(id, planGrant(NOV))).toMatchObject({ status: "created" });
  });

  it("grants another subscription's month over a month whose credits were all spent", async () => {
    const { ledger, id } = await setup();
    await ledger.grantPlan(id, planGrant(NOV));
    for (let i = 1; i <= 5; i++) {
      expect((await ledger.charge(id, reviewCharge(`c${i}`, i))).status).toBe("created");
    }
    expect((await ledger.summary(id)).buckets.plan).toBe(0);
    const other = {
      start: new Date("2026-11-05T00:00:00Z"),
      end: new Date("2026-12-05T00:00:00Z"),
    };
    const granted = await ledger.grantPlan(id, planGrant(other, { subscription: "sub_2" }));
    expect(granted).toMatchObject({
      status: "created",
      entry: { amount: 5, planExpiresAt: other.end },
    });
    const summary = await ledger.summary(id);
    expect(summary.buckets.plan).toBe(5);
    // Nothing was written off: there was nothing to write off.
    expect((await ledger.list(id, { types: ["expiration"], limit: 10 })).entries).toEqual([]);
  });

  it("tops up the month it already holds without writing it off", async () => {
    const { ledger, id } = await setup();
    await ledger.grantPlan(id, planGrant(NOV));
    const up = await ledger.grantPlan(
      id,
      planGrant(NOV, { plan: "team", credits: 8, upgrade: true, description: "Team plan credits" }),
    );
    expect(up).toMatchObject({ status: "created", entry: { amount: 3 } });
    expect((await ledger.summary(id)).buckets.plan).toBe(8);
    expect((await ledger.list(id, { types: ["expiration"], limit: 10 })).entries).toEqual([]);
  });
});
