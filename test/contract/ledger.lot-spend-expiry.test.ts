import { afterEach, describe, expect, it } from "@jest/globals";
import { parse } from "csv-parse/sync";
import type { AccountId } from "../../src/accounts/types.js";
import { presentEntry } from "../../src/api/present.js";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerStore, NewEntry } from "../../src/ledger/ledger-store.js";
import type { LedgerEntry, Lot } from "../../src/ledger/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import {
  bonus,
  entryOf,
  lot,
  makeLedger,
  newAccountId,
  prRef,
  purchase,
  reviewCharge,
  TestClock,
} from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * Bonus lots through the Ledger's methods: spent soonest-expiring first (the older lot on a
 * tie) whatever order the newest entry lists them in; each lot due expired once, with an entry
 * of its own, also when another writer expires or spends it at the same moment; refunds of
 * charges written before lots; and the balance a refused charge reports is the one after the
 * expiry.
 */

/** A raw bonus-only entry: `bonus` is the bucket after it, `change` what the entry added. */
const bonusRow = (
  id: AccountId,
  seq: number,
  change: number,
  bonusAfter: number,
  lots: Pick<NewEntry, "lotDeltas" | "lotsAfter">,
  over: Partial<NewEntry> = {},
): NewEntry =>
  rawEntry(id, seq, {
    amount: change,
    deltas: { free: 0, plan: 0, bonus: change, purchased: 0 },
    bucketsAfter: { free: 0, plan: 0, bonus: bonusAfter, purchased: 0 },
    balanceAfter: bonusAfter,
    ...lots,
    ...over,
  });

async function append(store: Store, ...entries: NewEntry[]): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for (const e of entries) {
    const r = await store.ledger.append(e);
    if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
    out.push(r.entry);
  }
  return out;
}

/**
 * The store, except that the first time a writer looks up `key` it is answered as the store
 * stood then, but only after `meanwhile` has run: another writer got in between that look-up
 * and the writer's read of the newest entry.
 */
function withWriterBetween(
  store: LedgerStore,
  key: string,
  meanwhile: () => Promise<unknown>,
): LedgerStore {
  const view: LedgerStore = Object.create(store);
  let fired = false;
  view.findByKey = async (accountId, k) => {
    const found = await store.findByKey(accountId, k);
    if (k === key && !fired) {
      fired = true;
      await meanwhile();
    }
    return found;
  };
  return view;
}

async function csvRows(ledger: Ledger, id: AccountId) {
  let csv = "";
  for await (const chunk of ledger.export(id)) csv += String(chunk);
  return parse(csv, { columns: true }) as Record<string, string>[];
}

describe.each(storeFactories())(
  "bonus lots spent and expired on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("spends the soonest-expiring lot first and the older of two on a tie, whatever order the lots are stored in", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, undefined, 0); // 2026-11-10T12:00Z
      const id = newAccountId();
      const soon = "2026-11-20T00:00:00Z";
      const late = "2026-11-30T00:00:00Z";
      // Five grants of one credit; the last lists the lots out of spend order (a hand edit, or
      // a store that does not keep the order).
      const held: Lot[] = [];
      const rows: NewEntry[] = [];
      const expiries = [null, null, soon, late, soon];
      for (const [i, expiresAt] of expiries.entries()) {
        const seq = i + 1;
        held.push(lot(seq, 1, expiresAt));
        const lotsAfter =
          seq === 5 ? [held[1]!, held[0]!, held[4]!, held[3]!, held[2]!] : [...held];
        rows.push(bonusRow(id, seq, 1, seq, { lotDeltas: [{ lot: seq, amount: 1 }], lotsAfter }));
      }
      await append(store, ...rows);

      const charges: LedgerEntry[] = [];
      for (let n = 1; n <= 5; n++) {
        charges.push(entryOf(await ledger.charge(id, reviewCharge(`c${n}`, n))));
      }
      expect(charges.map((c) => c.lotDeltas)).toEqual(
        [3, 5, 4, 1, 2].map((l) => [{ lot: l, amount: -1 }]),
      );
      // The lots after the first charge are listed in spend order again.
      expect(charges[0]!.lotsAfter).toEqual([
        lot(3, 0, soon),
        lot(5, 1, soon),
        lot(4, 1, late),
        lot(1, 1),
        lot(2, 1),
      ]);
      expect((await ledger.summary(id)).buckets.bonus).toBe(0);
    });

    it("refunds charges written before lots: to a new lot once lot 0 is gone, to no lot when they took no bonus credits", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, undefined, 0);
      // The bonus bucket emptied by the charge: no lot 0 is left to give back to.
      const emptied = newAccountId();
      const [grant] = await append(
        store,
        rawEntry(emptied, 1),
        rawEntry(emptied, 2, {
          type: "usage",
          amount: -1,
          deltas: { free: 0, plan: 0, bonus: -1, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: 0 },
          balanceAfter: 0,
          reference: prRef(1),
          idempotencyKey: "old-bonus-charge",
        }),
      );
      const toNewLot = entryOf(await ledger.refund(emptied, { chargeKey: "old-bonus-charge" }));
      expect(toNewLot.lotDeltas).toEqual([{ lot: toNewLot.seq, amount: 1 }]);
      expect(toNewLot.lotsAfter).toEqual([lot(toNewLot.seq, 1)]);

      // A charge of free credits while lot 0 held bonus credits: its refund changes no lot.
      const free = newAccountId();
      await append(
        store,
        bonusRow(free, 1, 2, 2, { lotDeltas: null, lotsAfter: null }),
        rawEntry(free, 2, {
          type: "free_tier",
          amount: 1,
          deltas: { free: 1, plan: 0, bonus: 0, purchased: 0 },
          bucketsAfter: { free: 1, plan: 0, bonus: 2, purchased: 0 },
          balanceAfter: 3,
        }),
        rawEntry(free, 3, {
          type: "usage",
          amount: -1,
          deltas: { free: -1, plan: 0, bonus: 0, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 2, purchased: 0 },
          balanceAfter: 2,
          reference: prRef(2),
          idempotencyKey: "old-free-charge",
        }),
      );
      const noLot = entryOf(await ledger.refund(free, { chargeKey: "old-free-charge" }));
      expect(noLot.deltas).toEqual({ free: 1, plan: 0, bonus: 0, purchased: 0 });
      expect(noLot.lotDeltas).toEqual([]);
      expect(noLot.lotsAfter).toEqual([lot(0, 2)]);

      const report = await verifyLedger(store.ledger);
      expect(report.problems).toEqual([]);
      // The grant written before lots never expires, in the API and in the export.
      expect(presentEntry(grant!).expiresAt).toBeNull();
      expect((await csvRows(ledger, emptied)).map((r) => [r.type, r.expires_at])).toEqual([
        ["refund", ""],
        ["usage", ""],
        ["bonus", ""],
      ]);
    });

    it("shows no expiry for a bonus grant whose lots do not name its own lot", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      const [grant] = await append(
        store,
        bonusRow(id, 1, 1, 1, { lotDeltas: [{ lot: 1, amount: 1 }], lotsAfter: [lot(0, 1)] }),
      );
      expect(presentEntry(grant!).expiresAt).toBeNull();
      expect((await csvRows(ledger, id)).map((r) => [r.type, r.expires_at])).toEqual([
        ["bonus", ""],
      ]);
    });

    it("expires each lot due with an entry of its own, naming its grant and its expiry", async () => {
      const store = await create();
      const { ledger, clock } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      const a = entryOf(await ledger.grant(id, bonus("a", 2, "2026-11-12T00:00:00Z")));
      const b = entryOf(await ledger.grant(id, bonus("b", 3, "2026-11-12T06:00:00Z")));
      const forever = entryOf(await ledger.grant(id, bonus("forever", 1)));

      clock.set("2026-11-13T00:00:00Z");
      const charge = entryOf(await ledger.charge(id, reviewCharge("c1")));
      const expirations = await store.ledger.list(id, { types: ["expiration"], limit: 10 });
      expect(
        expirations
          .sort((x, y) => x.seq - y.seq)
          .map((e) => [e.description, e.idempotencyKey, e.amount, e.lotDeltas]),
      ).toEqual([
        [
          `Unused bonus credits of grant #${a.seq} expired (2026-11-12T00:00:00.000Z)`,
          `bonus-expiration:${a.seq}`,
          -2,
          [{ lot: a.seq, amount: -2 }],
        ],
        [
          `Unused bonus credits of grant #${b.seq} expired (2026-11-12T06:00:00.000Z)`,
          `bonus-expiration:${b.seq}`,
          -3,
          [{ lot: b.seq, amount: -3 }],
        ],
      ]);
      expect(charge.lotDeltas).toEqual([{ lot: forever.seq, amount: -1 }]);
      expect(charge.seq).toBe(expirations.at(-1)!.seq + 1);
      expect((await ledger.summary(id)).buckets.bonus).toBe(0);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("refuses a charge the expired credits no longer cover with the balance after the expiry", async () => {
      const store = await create();
      const clock = new TestClock();
      const costs = { review: 2, chat: 0, command: 0 };
      const ledger = new Ledger({ store: store.ledger, now: clock.now, freePerMonth: 0, costs });
      const id = newAccountId();
      await ledger.grant(id, bonus("b", 1, "2026-11-12T00:00:00Z"));
      expect((await ledger.summary(id)).balance).toBe(1);

      clock.set("2026-11-13T00:00:00Z");
      expect(await ledger.charge(id, reviewCharge("c1"))).toEqual({
        status: "insufficient",
        balance: 0,
        cost: 2,
      });
      expect(await store.ledger.list(id, { types: ["expiration"], limit: 10 })).toHaveLength(1);
      expect((await ledger.summary(id)).balance).toBe(0);
    });

    it("goes on when another writer expires the lot between its look-up of the expiration and its read: one expiration", async () => {
      const store = await create();
      const { ledger, clock } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      const soon = entryOf(await ledger.grant(id, bonus("soon", 1, "2026-11-12T00:00:00Z")));
      await ledger.grant(id, purchase("p", 2));

      clock.set("2026-11-13T00:00:00Z");
      const other = new Ledger({ store: store.ledger, now: clock.now, freePerMonth: 0 });
      const view = withWriterBetween(store.ledger, `bonus-expiration:${soon.seq}`, () =>
        other.charge(id, reviewCharge("theirs", 2)),
      );
      const mine = new Ledger({ store: view, now: clock.now, freePerMonth: 0 });
      const charge = entryOf(await mine.charge(id, reviewCharge("mine", 1)));

      const expirations = await store.ledger.list(id, { types: ["expiration"], limit: 10 });
      expect(expirations.map((e) => e.lotDeltas)).toEqual([[{ lot: soon.seq, amount: -1 }]]);
      const theirs = await store.ledger.findByKey(id, "theirs");
      expect(theirs?.seq).toBe(expirations[0]!.seq + 1);
      expect(charge.seq).toBe(theirs!.seq + 1);
      expect(charge.deltas).toEqual({ free: 0, plan: 0, bonus: 0, purchased: -1 });
      expect((await ledger.summary(id)).buckets).toEqual({
        free: 0,
        plan: 0,
        bonus: 0,
        purchased: 0,
      });
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("writes no expiration of an empty lot when a writer whose clock read before the expiry spent it meanwhile", async () => {
      const store = await create();
      const { ledger, clock } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      const soon = entryOf(await ledger.grant(id, bonus("soon", 1, "2026-11-12T00:00:00Z")));
      await ledger.grant(id, purchase("p", 1));

      const earlier = new TestClock(new Date("2026-11-11T23:00:00Z"));
      const other = new Ledger({ store: store.ledger, now: earlier.now, freePerMonth: 0 });
      clock.set("2026-11-13T00:00:00Z");
      const view = withWriterBetween(store.ledger, `bonus-expiration:${soon.seq}`, () =>
        other.charge(id, reviewCharge("theirs", 2)),
      );
      const mine = new Ledger({ store: view, now: clock.now, freePerMonth: 0 });
      const charge = entryOf(await mine.charge(id, reviewCharge("mine", 1)));

      expect(await store.ledger.list(id, { types: ["expiration"], limit: 10 })).toEqual([]);
      expect((await store.ledger.findByKey(id, "theirs"))?.lotDeltas).toEqual([
        { lot: soon.seq, amount: -1 },
      ]);
      expect(charge.deltas).toEqual({ free: 0, plan: 0, bonus: 0, purchased: -1 });
      expect(charge.lotsAfter).toEqual([]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("refuses a charge on a history whose lots hold less than the bonus bucket, naming the shortfall, and writes nothing", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      // Lot 1 lost the credit that the bucket kept.
      await append(
        store,
        bonusRow(id, 1, 1, 1, { lotDeltas: [{ lot: 1, amount: 1 }], lotsAfter: [] }),
      );
      const before = await store.ledger.latest(id);
      await expect(ledger.charge(id, reviewCharge("c1"))).rejects.toThrow(
        "the bonus lots are 1 short of 1",
      );
      expect(await store.ledger.latest(id)).toEqual(before);
    });
  },
);
