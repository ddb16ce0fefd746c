import { afterEach, describe, expect, it } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { makeLedger, newAccountId, TestClock, planGrant } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/** sub_1's month and sub_2's, both running on 2026-11-20. */
const NOV = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") };
const NEXT = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-12-20T00:00:00Z") };

const grant = planGrant;

describe.each(storeFactories())(
  "a plan grant already covered ($name store)",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("expires nothing when it has nothing to grant", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, new TestClock(new Date("2026-11-20T12:00:00Z")), 0);
      const id = newAccountId();
      // sub_2's month granted through its upgrade first (as when its first paid state is Team).
      await ledger.grantPlan(
        id,
        grant(NEXT, { subscription: "sub_2", plan: "team", credits: 8, upgrade: true }),
      );
      // sub_1, still active, gets its month: it replaces sub_2's credits (by design).
      await ledger.grantPlan(id, grant(NOV));
      expect((await ledger.summary(id)).buckets.plan).toBe(5);
      // sub_2's own month grant (the roll) is covered by its upgrade: it must change nothing.
      expect(await ledger.grantPlan(id, grant(NEXT, { subscription: "sub_2" }))).toEqual({
        status: "covered",
      });
      expect((await ledger.summary(id)).buckets.plan).toBe(5);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });
  },
);
