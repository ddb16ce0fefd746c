import { afterEach, describe, expect, it } from "@jest/globals";
import { rollFreeTier } from "../../src/ledger/free-tier.js";
import { listEntries } from "../../src/ledger/list-entries.js";
import { makeLedger, newAccountId, reviewCharge, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The month's free tier: what the roll writes where an owner reads it (the entries list, the
 * CSV), and a roll that read the account before another request rolled it.
 */
describe.each(storeFactories())(
  "the monthly free tier on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("expires last month's unused free credits and grants this month's, each named for its month", async () => {
      const store = await create();
      const clock = new TestClock(new Date("2026-11-10T12:00:00Z"));
      const { ledger } = makeLedger(store, clock, 3);
      const id = newAccountId();
      await ledger.charge(id, reviewCharge("nov-1"));

      clock.set("2026-12-02T08:00:00Z");
      await ledger.ensureFreeTier(id);

      const { entries } = await listEntries(store.ledger, id, {
        types: ["expiration", "free_tier"],
      });
      const rows = entries.map((e) => ({
        type: e.type,
        free: e.deltas.free,
        description: e.description,
        reference: e.reference,
      }));
      // Newest first.
      expect(rows).toEqual([
        {
          type: "free_tier",
          free: 3,
          description: "3 free reviews for 2026-12",
          reference: { kind: "free_period", period: "2026-12" },
        },
        {
          type: "expiration",
          free: -2,
          description: "Unused free reviews of 2026-11 expired",
          reference: { kind: "free_period", period: "2026-11" },
        },
        {
          type: "free_tier",
          free: 3,
          description: "3 free reviews for 2026-11",
          reference: { kind: "free_period", period: "2026-11" },
        },
      ]);
      expect((await ledger.summary(id)).buckets.free).toBe(3);
    });

    it("writes no expiration for a month whose free credits were all used", async () => {
      const store = await create();
      const clock = new TestClock(new Date("2026-11-10T12:00:00Z"));
      const { ledger } = makeLedger(store, clock, 2);
      const id = newAccountId();
      await ledger.charge(id, reviewCharge("nov-1", 1));
      await ledger.charge(id, reviewCharge("nov-2", 2));

      clock.set("2026-12-02T08:00:00Z");
      await ledger.ensureFreeTier(id);

      const { entries } = await listEntries(store.ledger, id, { types: ["expiration"] });
      expect(entries).toEqual([]);
      expect((await ledger.summary(id)).buckets.free).toBe(2);
    });

    it("never expires this month's free credits for a roll that read the account before another rolled it", async () => {
      const store = await create();
      const clock = new TestClock(new Date("2026-11-10T12:00:00Z"));
      const { ledger } = makeLedger(store, clock, 2);
      const id = newAccountId();
      await ledger.ensureFreeTier(id);
      // What a slow request read in November: 2 free credits left.
      const stale = await store.ledger.latest(id);
      // November's last requests use them up, and December's first request rolls the month:
      // nothing to expire, December's 2 granted.
      await ledger.charge(id, reviewCharge("nov-1", 1));
      await ledger.charge(id, reviewCharge("nov-2", 2));
      clock.set("2026-12-02T08:00:00Z");
      await ledger.ensureFreeTier(id);
      const before = (await listEntries(store.ledger, id, {})).entries.length;

      // The slow request rolls from what it read: November's credits are gone, and December's
      // are not November's to expire.
      await rollFreeTier({ store: store.ledger, now: clock.now, freePerMonth: 2 }, id, stale);

      expect((await listEntries(store.ledger, id, {})).entries).toHaveLength(before);
      expect((await ledger.summary(id)).buckets.free).toBe(2);
    });

    it("writes no expiration of nothing for a roll that read free credits November's last requests used", async () => {
      const store = await create();
      const clock = new TestClock(new Date("2026-11-10T12:00:00Z"));
      const { ledger } = makeLedger(store, clock, 1);
      const id = newAccountId();
      await ledger.ensureFreeTier(id);
      const stale = await store.ledger.latest(id);
      await ledger.charge(id, reviewCharge("nov-1", 1));

      // December's first request read the account before November's last charge was written.
      clock.set("2026-12-02T08:00:00Z");
      await rollFreeTier({ store: store.ledger, now: clock.now, freePerMonth: 1 }, id, stale);

      const { entries } = await listEntries(store.ledger, id, {
        types: ["expiration", "free_tier"],
      });
      expect(entries.map((e) => `${e.type} ${e.deltas.free}`)).toEqual([
        "free_tier 1",
        "free_tier 1",
      ]);
      expect((await ledger.summary(id)).buckets.free).toBe(1);
    });
  },
);
