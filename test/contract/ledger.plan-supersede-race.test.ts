import { afterEach, describe, expect, it } from "@jest/globals";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { newAccountId, reviewCharge, TestClock, planGrant } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/** sub_1's month (the clock starts 2026-11-10 12:00), and sub_2's, which replaces it. */
const NOV = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") };
const NEXT = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-12-20T00:00:00Z") };

const grant = planGrant;

describe.each(storeFactories())(
  "a plan grant superseding another month ($name store)",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    // The plan bucket's second review found this (issue 20): the superseding write must check
    // that it still replaces the month it read.
    it("a superseding grant whose view went stale does not expire the new month's own credits", async () => {
      const store = await create();
      const clock = new TestClock();
      const id = newAccountId();
      const upgradeKey = `plan:sub_2:${NEXT.start.toISOString()}:team`;
      let calls = 0;
      let interleave: (() => Promise<void>) | null = null;
      // The ledger store as the upgrade's grant sees it: right after its build refused (another
      // month's credits are live), other writers get in before it writes the expiration.
      const racing = new Proxy(store.ledger, {
        get(target, prop, receiver) {
          if (prop === "findByKey") {
            return async (accountId: typeof id, key: string) => {
              if (key === upgradeKey && ++calls === 2 && interleave) {
                const run = interleave;
                interleave = null;
                await run();
              }
              return target.findByKey(accountId, key);
            };
          }
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === "function"
            ? (value as (...args: unknown[]) => unknown).bind(target)
            : value;
        },
      }) as LedgerStore;
      const ledger = new Ledger({ store: racing, now: clock.now, freePerMonth: 0 });

      await ledger.grantPlan(id, grant(NOV));
      clock.set("2026-11-20T12:00:00Z");
      interleave = async () => {
        // A review is charged (sub_1's credits still live), then sub_2's month grant runs whole:
        // it expires sub_1's credits and grants its 3.
        await ledger.charge(id, reviewCharge("c1"));
        await ledger.grantPlan(id, grant(NEXT, { subscription: "sub_2", credits: 3 }));
      };
      const up = await ledger.grantPlan(
        id,
        grant(NEXT, { subscription: "sub_2", plan: "team", credits: 8, upgrade: true }),
      );
      expect(up).toMatchObject({ status: "created" });
      // sub_2's month: 3 from its own grant and 5 from the upgrade, all of Team's 8.
      expect((await ledger.summary(id)).buckets.plan).toBe(8);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });
  },
);
