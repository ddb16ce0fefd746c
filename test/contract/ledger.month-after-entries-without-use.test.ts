import { afterEach, describe, expect, it } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { reviewOf } from "../support/verify-faults.js";

/**
 * The first entry of a month after entries written before month use (none carry it): the
 * month is counted from its entries (entry-use.ts, loadUse), so ledger:verify accepts it and
 * the charges after it build on it.
 */
describe.each(storeFactories())(
  "a new month after entries without month use on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("starts from zero when no entry is of it, and its budgets hold", async () => {
      const store = await create();
      const id = newAccountId();
      // November, as a release before month use wrote it: bonus credits, no month use.
      for (let seq = 1; seq <= 3; seq++) {
        const r = await store.ledger.append(rawEntry(id, seq));
        if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
      }
      const clock = new TestClock(new Date("2026-12-02T12:00:00Z"));
      const { ledger } = makeLedger(store, clock, 0);
      const first = await ledger.charge(id, { ...reviewOf("d1", { number: 1 }), limits: {} });
      expect(first.status).toBe("created");
      const second = await ledger.charge(id, {
        ...reviewOf("d2", { number: 2 }),
        limits: { repository: 1 },
      });
      expect(second).toMatchObject({ status: "over_budget", budget: "repository", used: 1 });
      expect(await ledger.monthUse(id)).toEqual({
        period: "2026-12",
        charged: 1,
        requestedRefunds: 0,
        account: 1,
        repositories: [{ key: "11", name: "acme/api", credits: 1, runs: 1 }],
        authors: [],
        warned: [],
      });
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("counts a charge of the month stamped by a host ahead, though the newest entry's clock is in the month before", async () => {
      const store = await create();
      const id = newAccountId();
      const bonus = (n: number) => ({ free: 0, plan: 0, bonus: n, purchased: 0 });
      const planted = [
        rawEntry(id, 1, {
          amount: 10,
          deltas: bonus(10),
          bucketsAfter: bonus(10),
          balanceAfter: 10,
        }),
        // A review on a host a few seconds ahead, then a grant on one a second behind.
        rawEntry(id, 2, {
          type: "usage",
          amount: -1,
          deltas: bonus(-1),
          bucketsAfter: bonus(9),
          balanceAfter: 9,
          reference: reviewOf("old", { number: 1 }).reference,
          createdAt: new Date("2026-12-01T00:00:05Z"),
        }),
        rawEntry(id, 3, {
          amount: 1,
          deltas: bonus(1),
          bucketsAfter: bonus(10),
          balanceAfter: 10,
          createdAt: new Date("2026-11-30T23:59:59Z"),
        }),
      ];
      for (const e of planted) {
        const r = await store.ledger.append(e);
        if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
      }
      const clock = new TestClock(new Date("2026-12-01T00:01:00Z"));
      const { ledger } = makeLedger(store, clock, 0);
      const r = await ledger.charge(id, {
        ...reviewOf("d1", { number: 2 }),
        limits: { repository: 1 },
      });
      expect(r).toMatchObject({ status: "over_budget", budget: "repository", used: 1 });
      expect((await ledger.monthTotals(id)).charged).toBe(1);
      expect((await ledger.charge(id, reviewOf("d2", { number: 2 }))).status).toBe("created");
      expect((await ledger.monthUse(id)).repositories).toEqual([
        { key: "11", name: "acme/api", credits: 2, runs: 2 },
      ]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });
  },
);
