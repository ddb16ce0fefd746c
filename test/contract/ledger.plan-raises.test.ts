import { afterEach, describe, expect, it } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { AccountId } from "../../src/accounts/types.js";
import { makeLedger, newAccountId, TestClock, planGrant } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * A plan whose credits are raised more than once within a month (an operator setting an
 * enterprise plan's credits higher again): its id never changes, so each raise must grant its
 * difference under a key of its own, and every redelivered raise stay a replay.
 */
const NOV = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") };
const raise = (credits: number) =>
  planGrant(NOV, { plan: "enterprise-7", credits, upgrade: true, description: "Enterprise" });

describe.each(storeFactories())("a plan raised twice in a month ($name)", ({ create, cleanup }) => {
  afterEach(cleanup);

  async function setup() {
    const store = await create();
    const { ledger } = makeLedger(store, new TestClock(), 0);
    const id: AccountId = newAccountId();
    await ledger.grantPlan(id, planGrant(NOV, { plan: "enterprise-7", credits: 50 }));
    const plan = async () => (await ledger.summary(id)).buckets.plan;
    const verified = async () => (await verifyLedger(store.ledger)).problems;
    return { ledger, id, plan, verified };
  }

  it("grants each raise's difference once, and replays each raise redelivered", async () => {
    const { ledger, id, plan, verified } = await setup();
    const first = await ledger.grantPlan(id, raise(80));
    expect(first).toMatchObject({ status: "created", entry: { amount: 30 } });
    const second = await ledger.grantPlan(id, raise(100));
    expect(second).toMatchObject({ status: "created", entry: { amount: 20 } });
    expect(await plan()).toBe(100);

    // Redelivered, in either order: nothing more, each the replay of a grant already made.
    expect(await ledger.grantPlan(id, raise(100))).toMatchObject({ status: "replayed" });
    expect(await ledger.grantPlan(id, raise(80))).toMatchObject({ status: "replayed" });
    // Set lower, then higher again, but not above what the month has had: nothing more.
    expect(await ledger.grantPlan(id, raise(90))).toMatchObject({ status: "replayed" });
    expect(await ledger.grantPlan(id, raise(120))).toMatchObject({
      status: "created",
      entry: { amount: 20 },
    });
    expect(await plan()).toBe(120);
    expect(await ledger.planMonthGranted(id, "sub_1", NOV.start, ["enterprise-7"])).toBe(120);
    expect(await verified()).toEqual([]);
  });

  it("refuses a raise past the month's hundredth, naming the plan, and grants nothing for it", async () => {
    const { ledger, id, plan, verified } = await setup();
    // A hundred raises of one credit each: generations 0 to 99 of the upgrade key.
    for (let credits = 51; credits <= 150; credits++) {
      expect(await ledger.grantPlan(id, raise(credits))).toMatchObject({
        status: "created",
        entry: { amount: 1 },
      });
    }
    await expect(ledger.grantPlan(id, raise(151))).rejects.toThrow(
      "plan enterprise-7 raised more than 100 times in the month of 2026-11-10T00:00:00.000Z",
    );
    expect(await plan()).toBe(150);
    // The raises made are still each a replay.
    expect(await ledger.grantPlan(id, raise(150))).toMatchObject({ status: "replayed" });
    expect(await verified()).toEqual([]);
    // A hundred raises read their generations a few hundred times each: on MongoDB that is
    // tens of thousands of reads, more than the default 30 s allow on a slow server.
  }, 180_000);

  it("ends at the highest of six raises made at once, the month's first among them", async () => {
    const { ledger, id, plan, verified } = await setup();
    const together = await Promise.all(
      [80, 100, 120, 90, 110, 120].map((credits) => ledger.grantPlan(id, raise(credits))),
    );
    expect(together.filter((r) => r.status === "created").length).toBeGreaterThanOrEqual(1);
    // A raise overtaken by a higher one between its look and its write finds it covered.
    const answers = new Set(["created", "replayed", "covered"]);
    expect(together.filter((r) => !answers.has(r.status))).toEqual([]);
    expect(await plan()).toBe(120);
    expect(await verified()).toEqual([]);
  });
});
