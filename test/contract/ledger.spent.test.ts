import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { forecastRunway, runwayOf } from "../../src/usage/runway.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, purchase, reviewCharge } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The billing summary's usage this month and the runway read two running totals (spent.ts)
 * instead of summing a window of entries; they must give what the sum gives, refunds counted
 * in the month they were given, and fall back to the sum where the totals cannot answer.
 */
describe.each(storeFactories())(
  "net spend from running totals on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("gives the month's and the window's sums without summing them", async () => {
      const store = await create();
      const { ledger, clock } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      clock.set("2026-10-30T10:00:00Z");
      await ledger.grant(id, purchase("p", 50));
      for (let i = 1; i <= 4; i++) await ledger.charge(id, reviewCharge(`oct-${i}`, i));
      clock.set("2026-11-03T10:00:00Z");
      // An October charge refunded in November counts in November, as its entry does.
      await ledger.refund(id, { chargeKey: "oct-1" });
      for (let i = 5; i <= 9; i++) await ledger.charge(id, reviewCharge(`nov-${i}`, i));
      await ledger.refund(id, { chargeKey: "nov-6" });
      await ledger.grant(id, { type: "bonus", amount: 3, description: "b", idempotencyKey: "b" });
      clock.set("2026-11-10T12:00:00Z");

      const sum = jest.spyOn(store.ledger, "sumAmounts");
      const summary = await ledger.summary(id);
      const now = clock.now();
      const runway = await runwayOf(store.ledger, id, summary.balance, now);
      expect(sum).not.toHaveBeenCalled();
      sum.mockRestore();
      const month = await store.ledger.sumAmounts(
        id,
        ["usage", "refund"],
        new Date("2026-11-01T00:00:00Z"),
      );
      expect(summary.usageThisMonth).toBe(-month);
      expect(summary.usageThisMonth).toBe(5 - 2);
      const window = await store.ledger.sumAmounts(
        id,
        ["usage", "refund"],
        new Date(now.getTime() - 14 * 86_400_000),
      );
      expect(runway).toEqual(forecastRunway(summary.balance, -window, now));
      expect(window).toBe(-(4 + 5 - 2));
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("sums the window while its start predates the totals, and subtracts once it does not", async () => {
      const store = await create();
      const { ledger, clock } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      // Written before totals were kept: two grants on November 1st and 2nd.
      await store.ledger.append(
        rawEntry(id, 1, {
          amount: 5,
          deltas: { free: 0, plan: 0, bonus: 5, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 5, purchased: 0 },
          balanceAfter: 5,
        }),
      );
      await store.ledger.append(
        rawEntry(id, 2, {
          type: "usage",
          amount: -1,
          deltas: { free: 0, plan: 0, bonus: -1, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 4, purchased: 0 },
          balanceAfter: 4,
        }),
      );
      clock.set("2026-11-10T12:00:00Z");
      await ledger.charge(id, reviewCharge("after", 1));
      const first = await store.ledger.spentAt(id);
      expect(first).toEqual({ seq: 3, spent: { total: 1, from: 3 } });

      const sum = jest.spyOn(store.ledger, "sumAmounts");
      expect((await ledger.summary(id)).usageThisMonth).toBe(2);
      expect(sum).toHaveBeenCalledTimes(1);

      clock.set("2026-12-05T12:00:00Z");
      await ledger.charge(id, reviewCharge("december", 2));
      sum.mockClear();
      expect((await ledger.summary(id)).usageThisMonth).toBe(1);
      expect(sum).not.toHaveBeenCalled();
      sum.mockRestore();
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("starts counting again after an entry without a total, and ledger:verify checks the totals", async () => {
      const store = await create();
      const { ledger, clock } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      clock.set("2026-11-02T12:00:00Z");
      await ledger.grant(id, purchase("p", 10));
      await ledger.charge(id, reviewCharge("a", 1));
      const latest = await store.ledger.latest(id);
      // A previous release's charge, without a total (a mixed-version deploy).
      const seq = latest!.seq + 1;
      const appended = await store.ledger.append({
        ...rawEntry(id, seq, {
          type: "usage",
          amount: -1,
          deltas: { free: 0, plan: 0, bonus: 0, purchased: -1 },
          bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: 8 },
          balanceAfter: 8,
          freePeriod: latest!.freePeriod,
          lotsAfter: [],
          lotDeltas: [],
          createdAt: new Date("2026-11-03T12:00:00Z"),
        }),
      });
      expect(appended.ok).toBe(true);
      clock.set("2026-11-04T12:00:00Z");
      await ledger.charge(id, reviewCharge("b", 2));
      expect((await store.ledger.spentAt(id))?.spent).toEqual({ total: 1, from: seq + 1 });
      expect(await store.ledger.spentAt(id, new Date("2026-11-03T00:00:00Z"))).toMatchObject({
        seq: latest!.seq,
        spent: { total: 1, from: 1 },
      });
      // Totals counted from different entries are not subtracted: the month is summed.
      expect((await ledger.summary(id)).usageThisMonth).toBe(3);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);

      // A total that does not follow from the entries is reported.
      const other = newAccountId();
      await store.ledger.append(rawEntry(other, 1, { spent: { total: 0, from: 1 } }));
      await store.ledger.append(
        rawEntry(other, 2, {
          type: "usage",
          amount: -1,
          deltas: { free: 0, plan: 0, bonus: -1, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: 0 },
          balanceAfter: 0,
          spent: { total: 2, from: 1 },
        }),
      );
      const report = await verifyLedger(store.ledger);
      expect(report.problems.filter((p) => p.accountId === other)).toEqual([
        expect.objectContaining({
          seq: 2,
          problem: "its net spend is 2 counted from seq 1, the entries give 1 from seq 1",
        }),
      ]);
    });
  },
);
