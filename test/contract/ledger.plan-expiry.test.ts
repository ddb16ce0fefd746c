import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import {
  makeLedger,
  newAccountId,
  planGrant,
  purchase,
  reviewCharge,
  TestClock,
} from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The plan bucket's expiry as the Ledger writes it (plan-bucket.ts): lazily at a month's end,
 * month after month, or when a new subscription's month replaces the one held; what each
 * expiration says; and that ledger:verify finds every such history clean.
 */

/** sub_1's months (the clock starts 2026-11-10 12:00), and sub_2's, which overlaps them. */
const NOV = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") };
const DEC = { start: new Date("2026-12-10T00:00:00Z"), end: new Date("2027-01-10T00:00:00Z") };
const NEXT = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-12-20T00:00:00Z") };

const expired = (end: Date) =>
  `Unused plan credits of the month ending ${end.toISOString()} expired`;
const replaced = (end: Date) =>
  `Unused plan credits of the month ending ${end.toISOString()} replaced by a new plan month`;

/**
 * The ledger store as a writer sees it when other writers get in while it expires plan
 * credits: `interleave` runs once, right after the expiration's first look for its key.
 */
function racingStore(store: LedgerStore) {
  let interleave: (() => Promise<void>) | null = null;
  const racing = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "findByKey") {
        return async (accountId: AccountId, key: string) => {
          const found = await target.findByKey(accountId, key);
          if (key.startsWith("plan-expiration:") && interleave) {
            const run = interleave;
            interleave = null;
            await run();
          }
          return found;
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function"
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  }) as LedgerStore;
  return {
    racing,
    whileExpiring: (run: () => Promise<void>) => {
      interleave = run;
    },
    ran: () => interleave === null,
  };
}

describe.each(storeFactories())(
  "the plan bucket's expiry on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function setup(clock = new TestClock()) {
      const store = await create();
      const { ledger } = makeLedger(store, clock, 0);
      const id = newAccountId();
      const expirations = async () =>
        (await ledger.list(id, { types: ["expiration"] })).entries
          .filter((e) => e.deltas.plan !== 0)
          .map((e) => [e.deltas.plan, e.description]);
      return { store, ledger, clock, id, expirations };
    }

    it("expires a month's leftover at the very instant its month ends, and stays clean with nothing after", async () => {
      const { store, ledger, clock, id, expirations } = await setup();
      await ledger.grantPlan(id, planGrant(NOV));
      await ledger.charge(id, reviewCharge("c1"));
      clock.set(NOV.end.toISOString());
      expect((await ledger.summary(id)).buckets.plan).toBe(0);
      const [expiration] = (await ledger.list(id, { types: ["expiration"] })).entries;
      expect(expiration?.createdAt).toEqual(NOV.end);
      expect(await expirations()).toEqual([[-4, expired(NOV.end)]]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("expires each month's leftover, month after month", async () => {
      const { store, ledger, clock, id, expirations } = await setup();
      await ledger.grantPlan(id, planGrant(NOV));
      clock.set("2026-12-10T06:00:00Z");
      await ledger.grantPlan(id, planGrant(DEC, { credits: 6 }));
      await ledger.charge(id, reviewCharge("c1"));
      clock.set("2027-01-10T06:00:00Z");
      expect((await ledger.summary(id)).buckets.plan).toBe(0);
      expect(await expirations()).toEqual([
        // Newest first.
        [-5, expired(DEC.end)],
        [-5, expired(NOV.end)],
      ]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("says which month a new subscription's month replaced", async () => {
      const { store, ledger, clock, id, expirations } = await setup();
      await ledger.grantPlan(id, planGrant(NOV));
      clock.set("2026-11-20T12:00:00Z");
      await ledger.grantPlan(id, planGrant(NEXT, { subscription: "sub_2", credits: 3 }));
      expect(await expirations()).toEqual([[-5, replaced(NOV.end)]]);
      expect((await ledger.summary(id)).buckets.plan).toBe(3);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("keeps writes after a month spent to nothing clean, past its end, and expires nothing", async () => {
      const { store, ledger, clock, id, expirations } = await setup();
      await ledger.grantPlan(id, planGrant(NOV, { credits: 2 }));
      await ledger.charge(id, reviewCharge("c1", 1));
      await ledger.charge(id, reviewCharge("c2", 2));
      clock.set("2026-12-11T00:00:00Z");
      await ledger.grant(id, purchase("buy", 2));
      expect(await ledger.charge(id, reviewCharge("c3", 3))).toMatchObject({
        status: "created",
        entry: { deltas: { plan: 0, purchased: -1 } },
      });
      expect(await expirations()).toEqual([]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("expires nothing when the credits a new month replaces were spent meanwhile", async () => {
      const store = await create();
      const clock = new TestClock(new Date("2026-11-20T12:00:00Z"));
      const race = racingStore(store.ledger);
      const ledger = new Ledger({ store: race.racing, now: clock.now, freePerMonth: 0 });
      const id = newAccountId();
      await ledger.grantPlan(id, planGrant(NOV, { credits: 1 }));
      // sub_2's grant reads sub_1's live credit and goes to replace it; meanwhile a review takes it.
      race.whileExpiring(async () => {
        expect(await ledger.charge(id, reviewCharge("c1"))).toMatchObject({
          entry: { deltas: { plan: -1 } },
        });
      });
      expect(
        await ledger.grantPlan(id, planGrant(NEXT, { subscription: "sub_2", credits: 3 })),
      ).toMatchObject({ status: "created", entry: { amount: 3 } });
      expect(race.ran()).toBe(true);
      expect((await ledger.list(id, { types: ["expiration"] })).entries).toEqual([]);
      expect((await ledger.summary(id)).buckets.plan).toBe(3);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("leaves a running month's credits alone when another writer, its clock a little behind, granted them while this one expired the month before", async () => {
      const store = await create();
      // This writer's clock has passed sub_1's month end; the other's is 2 seconds behind.
      const clock = new TestClock(new Date("2026-12-10T00:00:01Z"));
      const behind = new TestClock(new Date("2026-12-09T23:59:59Z"));
      const race = racingStore(store.ledger);
      const ledger = new Ledger({ store: race.racing, now: clock.now, freePerMonth: 0 });
      const other = new Ledger({ store: store.ledger, now: behind.now, freePerMonth: 0 });
      const id = newAccountId();
      await other.grantPlan(id, planGrant(NOV, { credits: 2 }));
      // To the other writer sub_1's month still runs: it charges a review from it, then sub_2's
      // month replaces what is left.
      race.whileExpiring(async () => {
        await other.charge(id, reviewCharge("c1", 1));
        await other.grantPlan(id, planGrant(NEXT, { subscription: "sub_2", credits: 3 }));
      });
      expect(await ledger.charge(id, reviewCharge("c2", 2))).toMatchObject({
        status: "created",
        entry: { deltas: { plan: -1 } },
      });
      expect(race.ran()).toBe(true);
      expect((await ledger.summary(id)).buckets.plan).toBe(2);
      const expirations = (await ledger.list(id, { types: ["expiration"] })).entries;
      expect(expirations.map((e) => [e.deltas.plan, e.description])).toEqual([
        [-1, replaced(NOV.end)],
      ]);
    });
  },
);
