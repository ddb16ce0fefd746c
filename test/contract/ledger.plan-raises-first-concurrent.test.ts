import { afterEach, describe, expect, it } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { AccountId } from "../../src/accounts/types.js";
import { makeLedger, newAccountId, TestClock, planGrant } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The month's first raises of a plan, made at once: both pick generation 0 (the upgrade key
 * without a generation), which grantPlan does not treat as `fresh`, so the raise that loses
 * the key is answered with the winner's grant and its own difference is never granted.
 */
const NOV = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") };
const raise = (credits: number) =>
  planGrant(NOV, { plan: "enterprise-7", credits, upgrade: true, description: "Enterprise" });

describe.each(storeFactories())("a plan's first raises at once ($name)", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("ends at the highest of them, as later raises at once do", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, new TestClock(), 0);
    const id: AccountId = newAccountId();
    await ledger.grantPlan(id, planGrant(NOV, { plan: "enterprise-7", credits: 50 }));
    const together = await Promise.all([
      ledger.grantPlan(id, raise(80)),
      ledger.grantPlan(id, raise(100)),
    ]);
    expect((await ledger.summary(id)).buckets.plan).toBe(100);
    expect(together.map((r) => r.status)).not.toContain("replayed");
    expect(await ledger.planMonthGranted(id, "sub_1", NOV.start, ["enterprise-7"])).toBe(100);
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });
});
