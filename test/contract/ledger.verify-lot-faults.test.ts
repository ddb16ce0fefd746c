import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { NewEntry } from "../../src/ledger/ledger-store.js";
import type {
  BucketAmounts,
  EntryReference,
  EntryType,
  Lot,
  LotDelta,
} from "../../src/ledger/types.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import { lot, newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { problemsOf } from "../support/verify-faults.js";

/**
 * ledger:verify shown each bonus lot fault it looks for (verify-lots.ts), planted once in an
 * account of its own straight into the store, as a bug or a hand edit would leave it: each is
 * reported once, with its problem, on that entry alone; lots that hold nothing any more and
 * entries that carry only one of the two lot fields are no fault.
 */

/** When the lots these tests grant expire. */
const EXP = "2026-11-05T00:00:00Z";

/** One planted entry: its bucket changes (bonus defaults to what its lot changes add up to). */
interface Step {
  type?: EntryType;
  deltas?: Partial<BucketAmounts>;
  lotDeltas: LotDelta[] | null;
  lotsAfter: Lot[] | null;
  at: string;
  /** For a refund: the seq of the charge it gives back. */
  refundOf?: number;
  reference?: EntryReference;
  planExpiresAt?: string;
}

const day = (d: number) => `2026-11-${String(d).padStart(2, "0")}T00:00:00Z`;

/** A bonus grant of `amount` credits as lot `seq`, expiring at `expiresAt`. */
const grant = (
  seq: number,
  amount: number,
  at: string,
  expiresAt: string | null = EXP,
  /** The lots before it, which it leaves as they are. */
  others: Lot[] = [],
) => ({
  lotDeltas: [{ lot: seq, amount }],
  at,
  lotsAfter: [...others, lot(seq, amount, expiresAt)],
});

describe.each(storeFactories())(
  "ledger:verify's bonus lot faults on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    /**
     * Appends the steps to a new account as seq 1, 2, ...; buckets and balances run on from
     * the deltas, so only what the steps say about lots can be wrong.
     */
    async function plant(store: Store, steps: Step[]): Promise<AccountId> {
      const id = newAccountId();
      const ids = new Map<number, string>();
      let buckets: BucketAmounts = { free: 0, plan: 0, bonus: 0, purchased: 0 };
      for (const [i, s] of steps.entries()) {
        const seq = i + 1;
        const bonus = (s.lotDeltas ?? []).reduce((sum, d) => sum + d.amount, 0);
        const deltas = { free: 0, plan: 0, bonus, purchased: 0, ...s.deltas };
        buckets = {
          free: buckets.free + deltas.free,
          plan: buckets.plan + deltas.plan,
          bonus: buckets.bonus + deltas.bonus,
          purchased: buckets.purchased + deltas.purchased,
        };
        const over: Partial<NewEntry> = {
          type: s.type ?? "bonus",
          amount: deltas.free + deltas.plan + deltas.bonus + deltas.purchased,
          deltas,
          bucketsAfter: { ...buckets },
          balanceAfter: buckets.free + buckets.plan + buckets.bonus + buckets.purchased,
          lotDeltas: s.lotDeltas,
          lotsAfter: s.lotsAfter,
          refundOf: s.refundOf === undefined ? null : (ids.get(s.refundOf) ?? null),
          reference: s.reference ?? null,
          planExpiresAt: s.planExpiresAt ? new Date(s.planExpiresAt) : null,
          createdAt: new Date(s.at),
        };
        const r = await store.ledger.append(rawEntry(id, seq, over));
        if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
        ids.set(seq, r.entry.id);
      }
      return id;
    }

    it("finds each kind of entry written after the expiry that leaves the lot its credits, at the expiry itself too", async () => {
      const store = await create();
      const lot1 = grant(1, 2, day(1));
      // A charge at the very instant of the expiry, taking one of the lot's two credits.
      const usage = await plant(store, [
        lot1,
        {
          type: "usage",
          lotDeltas: [{ lot: 1, amount: -1 }],
          lotsAfter: [lot(1, 1, EXP)],
          at: EXP,
        },
      ]);
      const purchase = await plant(store, [
        lot1,
        {
          type: "purchase",
          deltas: { purchased: 3 },
          lotDeltas: [],
          lotsAfter: [lot(1, 2, EXP)],
          at: day(6),
        },
      ]);
      const adjustment = await plant(store, [
        lot1,
        {
          type: "adjustment",
          deltas: { free: 1 },
          lotDeltas: [],
          lotsAfter: [lot(1, 2, EXP)],
          at: day(6),
        },
      ]);
      const bonus = await plant(store, [
        lot1,
        {
          type: "bonus",
          lotDeltas: [{ lot: 2, amount: 1 }],
          lotsAfter: [lot(1, 2, EXP), lot(2, 1)],
          at: day(6),
        },
      ]);
      const plan = await plant(store, [
        lot1,
        {
          type: "plan",
          deltas: { plan: 5 },
          lotDeltas: [],
          lotsAfter: [lot(1, 2, EXP)],
          at: day(6),
          reference: {
            kind: "plan_month",
            subscription: "sub_1",
            monthStart: "2026-11-01T00:00:00.000Z",
            monthEnd: "2026-12-01T00:00:00.000Z",
            plan: "pro",
          },
          planExpiresAt: "2026-12-01T00:00:00Z",
        },
      ]);
      // The same charge a moment before the expiry is fine.
      const before = await plant(store, [
        lot1,
        {
          type: "usage",
          lotDeltas: [{ lot: 1, amount: -1 }],
          lotsAfter: [lot(1, 1, EXP)],
          at: "2026-11-04T23:59:59.999Z",
        },
      ]);

      const { report, of } = await problemsOf(store.ledger);
      expect(of(usage)).toEqual([[2, "lot 1 still holds 1 past its expiry"]]);
      for (const id of [purchase, adjustment, bonus, plan]) {
        expect(of(id)).toEqual([[2, "lot 1 still holds 2 past its expiry"]]);
      }
      expect(of(before)).toEqual([]);
      expect(report.problemCount).toBe(5);
    });

    it("finds nothing wrong with a lot listed empty after its expiry and its expiration", async () => {
      const store = await create();
      const id = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "purchase",
          deltas: { purchased: 3 },
          lotDeltas: [],
          lotsAfter: [lot(1, 2, EXP)],
          at: day(2),
        },
        {
          type: "expiration",
          lotDeltas: [{ lot: 1, amount: -2 }],
          lotsAfter: [lot(1, 0, EXP)],
          at: day(6),
        },
        {
          type: "usage",
          deltas: { purchased: -1 },
          lotDeltas: [],
          lotsAfter: [lot(1, 0, EXP)],
          at: day(7),
        },
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([]);
      expect(report.problemCount).toBe(0);
    });

    it("finds a lot or a lot change that is not a whole number of credits", async () => {
      const store = await create();
      const inDeltas = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "usage",
          deltas: { bonus: -1 },
          lotDeltas: [{ lot: 1, amount: -0.5 }],
          lotsAfter: [lot(1, 1, EXP)],
          at: day(2),
        },
      ]);
      const inLots = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "usage",
          lotDeltas: [{ lot: 1, amount: -1 }],
          lotsAfter: [lot(1, 1, EXP), lot(2.5, 0, "2026-11-30T00:00:00Z")],
          at: day(2),
        },
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(inDeltas)).toEqual([
        [2, "a lot or its amount is not an integer"],
        [2, "lot changes add up to -0.5, the bonus change is -1"],
        [2, "lot 1 after is 1, the entries before give 1.5"],
      ]);
      expect(of(inLots)).toEqual([
        [2, "a lot or its amount is not an integer"],
        [2, "lot 2.5 appears from nowhere"],
      ]);
      expect(report.problemCount).toBe(5);
    });

    it("finds a lot changed twice by one entry, and a lot listed twice after one", async () => {
      const store = await create();
      const changedTwice = await plant(store, [
        grant(1, 3, day(1)),
        {
          type: "usage",
          lotDeltas: [
            { lot: 1, amount: -1 },
            { lot: 1, amount: -1 },
          ],
          lotsAfter: [lot(1, 1, EXP)],
          at: day(2),
        },
      ]);
      const listedTwice = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "purchase",
          deltas: { purchased: 1 },
          lotDeltas: [],
          lotsAfter: [lot(1, 2, EXP), lot(1, 0, EXP)],
          at: day(2),
        },
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(changedTwice)).toEqual([[2, "a lot is changed twice"]]);
      expect(of(listedTwice)).toEqual([
        [2, "a lot is listed twice"],
        [2, "lot 1 after is 0, the entries before give 2"],
      ]);
      expect(report.problemCount).toBe(3);
    });

    it("finds changes to a lot that is not live: another entry's lot, or the entry's own lot of nothing", async () => {
      const store = await create();
      const foreign = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "bonus",
          lotDeltas: [{ lot: 7, amount: 1 }],
          lotsAfter: [lot(1, 2, EXP), lot(7, 1)],
          at: day(2),
        },
      ]);
      const empty = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "bonus",
          lotDeltas: [{ lot: 2, amount: 0 }],
          lotsAfter: [lot(1, 2, EXP)],
          at: day(2),
        },
      ]);
      // What a refund gives to a new lot of its own is fine.
      const own = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "bonus",
          lotDeltas: [{ lot: 2, amount: 1 }],
          lotsAfter: [lot(1, 2, EXP), lot(2, 1)],
          at: day(2),
        },
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(foreign)).toEqual([
        [2, "changes lot 7, which is not live before it"],
        [2, "lot 7 appears from nowhere"],
      ]);
      expect(of(empty)).toEqual([[2, "changes lot 2, which is not live before it"]]);
      expect(of(own)).toEqual([]);
      expect(report.problemCount).toBe(3);
    });

    it("finds a lot from nowhere, a lot that does not hold what the entries give it, a changed expiry and a missing lot", async () => {
      const store = await create();
      const fromNowhere = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "purchase",
          deltas: { purchased: 1 },
          lotDeltas: [],
          lotsAfter: [lot(1, 2, EXP), lot(5, 0, "2026-11-30T00:00:00Z")],
          at: day(2),
        },
      ]);
      const wrongSplit = await plant(store, [
        grant(1, 3, day(1)),
        grant(2, 3, day(2), null, [lot(1, 3, EXP)]),
        {
          type: "usage",
          lotDeltas: [{ lot: 1, amount: -1 }],
          lotsAfter: [lot(1, 3, EXP), lot(2, 2)],
          at: day(3),
        },
      ]);
      const expiryMoved = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "purchase",
          deltas: { purchased: 1 },
          lotDeltas: [],
          lotsAfter: [lot(1, 2, "2026-12-05T00:00:00Z")],
          at: day(2),
        },
      ]);
      const expiryDropped = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "purchase",
          deltas: { purchased: 1 },
          lotDeltas: [],
          lotsAfter: [lot(1, 2)],
          at: day(2),
        },
      ]);
      const missing = await plant(store, [
        grant(1, 2, day(1)),
        grant(2, 1, day(2), null, [lot(1, 2, EXP)]),
        {
          type: "purchase",
          deltas: { purchased: 1 },
          lotDeltas: [],
          lotsAfter: [lot(1, 2, EXP)],
          at: day(3),
        },
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(fromNowhere)).toEqual([[2, "lot 5 appears from nowhere"]]);
      expect(of(wrongSplit)).toEqual([
        [3, "lot 1 after is 3, the entries before give 2"],
        [3, "lot 2 after is 2, the entries before give 3"],
      ]);
      expect(of(expiryMoved)).toEqual([[2, "lot 1's expiry changed"]]);
      expect(of(expiryDropped)).toEqual([[2, "lot 1's expiry changed"]]);
      expect(of(missing)).toEqual([
        [3, "lot 2 (1 credits) is missing"],
        [3, "bonus lots add up to 2, the bonus bucket is 3"],
      ]);
      expect(report.problemCount).toBe(7);
    });

    it("finds an expiration of a lot without expiry, of one before its expiry, and of a lot that is not there", async () => {
      const store = await create();
      const noExpiry = await plant(store, [
        grant(1, 2, day(1), null),
        { type: "expiration", lotDeltas: [{ lot: 1, amount: -2 }], lotsAfter: [], at: day(6) },
      ]);
      const early = await plant(store, [
        grant(1, 2, day(1)),
        { type: "expiration", lotDeltas: [{ lot: 1, amount: -2 }], lotsAfter: [], at: day(4) },
      ]);
      const unknown = await plant(store, [
        grant(1, 2, day(1), null),
        {
          type: "expiration",
          lotDeltas: [{ lot: 9, amount: 0 }],
          lotsAfter: [lot(1, 2)],
          at: day(6),
        },
      ]);
      // At the expiry itself, an expiration is due.
      const due = await plant(store, [
        grant(1, 2, day(1)),
        { type: "expiration", lotDeltas: [{ lot: 1, amount: -2 }], lotsAfter: [], at: EXP },
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(noExpiry)).toEqual([[2, "lot 1 has no expiry but expired"]]);
      expect(of(early)).toEqual([[2, "lot 1 expired before its expiry"]]);
      expect(of(unknown)).toEqual([[2, "changes lot 9, which is not live before it"]]);
      expect(of(due)).toEqual([]);
      expect(report.problemCount).toBe(3);
    });

    it("reads an entry that carries only one of its two lot fields as written before lots, and goes on", async () => {
      const store = await create();
      // A refund of a purchased credit with lot changes (none) but no lots after.
      const noLotsAfter = await plant(store, [
        { type: "purchase", deltas: { purchased: 2 }, lotDeltas: [], lotsAfter: [], at: day(1) },
        { type: "usage", deltas: { purchased: -1 }, lotDeltas: [], lotsAfter: [], at: day(2) },
        {
          type: "refund",
          deltas: { purchased: 1 },
          lotDeltas: [],
          lotsAfter: null,
          refundOf: 2,
          at: day(3),
        },
      ]);
      const noLotDeltas = await plant(store, [
        { type: "purchase", deltas: { purchased: 2 }, lotDeltas: [], lotsAfter: [], at: day(1) },
        { type: "purchase", deltas: { purchased: 1 }, lotDeltas: null, lotsAfter: [], at: day(2) },
      ]);
      // A fault in another account is still found.
      const fault = await plant(store, [
        grant(1, 2, day(1)),
        { type: "expiration", lotDeltas: [{ lot: 1, amount: -2 }], lotsAfter: [], at: day(4) },
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(noLotsAfter)).toEqual([]);
      expect(of(noLotDeltas)).toEqual([]);
      expect(of(fault)).toEqual([[2, "lot 1 expired before its expiry"]]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a refund that gives a lot back another amount, gives to a lot the charge did not take from, or gives the new lot too much", async () => {
      const store = await create();
      const otherAmount = await plant(store, [
        grant(1, 3, day(1), null),
        { type: "usage", lotDeltas: [{ lot: 1, amount: -2 }], lotsAfter: [lot(1, 1)], at: day(2) },
        {
          type: "refund",
          lotDeltas: [
            { lot: 1, amount: 1 },
            { lot: 3, amount: 1 },
          ],
          lotsAfter: [lot(1, 2), lot(3, 1)],
          refundOf: 2,
          at: day(3),
        },
      ]);
      const otherLot = await plant(store, [
        grant(1, 2, day(1), null),
        grant(2, 1, day(2), null, [lot(1, 2)]),
        {
          type: "usage",
          lotDeltas: [{ lot: 1, amount: -1 }],
          lotsAfter: [lot(1, 1), lot(2, 1)],
          at: day(3),
        },
        {
          type: "refund",
          lotDeltas: [
            { lot: 1, amount: 1 },
            { lot: 2, amount: 0 },
          ],
          lotsAfter: [lot(1, 2), lot(2, 1)],
          refundOf: 3,
          at: day(4),
        },
      ]);
      // The lot the charge took from expired since: its credit goes to a new lot, of 1.
      const tooMuch = await plant(store, [
        grant(1, 2, day(1)),
        {
          type: "usage",
          lotDeltas: [{ lot: 1, amount: -1 }],
          lotsAfter: [lot(1, 1, EXP)],
          at: day(2),
        },
        { type: "expiration", lotDeltas: [{ lot: 1, amount: -1 }], lotsAfter: [], at: day(6) },
        {
          type: "refund",
          deltas: { bonus: 1 },
          lotDeltas: [{ lot: 4, amount: 2 }],
          lotsAfter: [lot(4, 2)],
          refundOf: 2,
          at: day(7),
        },
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(otherAmount)).toEqual([
        [3, "refund does not give back to a lot what the charge took"],
      ]);
      expect(of(otherLot)).toEqual([
        [4, "refund gives credits to a lot the charge did not take from"],
      ]);
      expect(of(tooMuch)).toEqual([
        [4, "lot changes add up to 2, the bonus change is 1"],
        [4, "bonus lots add up to 2, the bonus bucket is 1"],
        [4, "refund gives credits to a lot the charge did not take from"],
      ]);
      expect(report.problemCount).toBe(5);
    });

    it("finds a refund whose new lot for an expired lot's credits has an expiry, or is not listed", async () => {
      const store = await create();
      const spent = [
        grant(1, 1, day(1)),
        {
          type: "usage" as const,
          lotDeltas: [{ lot: 1, amount: -1 }],
          lotsAfter: [lot(1, 0, EXP)],
          at: day(2),
        },
      ];
      const dated = await plant(store, [
        ...spent,
        {
          type: "refund",
          lotDeltas: [{ lot: 3, amount: 1 }],
          lotsAfter: [lot(3, 1, "2026-12-01T00:00:00Z")],
          refundOf: 2,
          at: day(7),
        },
      ]);
      const unlisted = await plant(store, [
        ...spent,
        {
          type: "refund",
          lotDeltas: [{ lot: 3, amount: 1 }],
          lotsAfter: [],
          refundOf: 2,
          at: day(7),
        },
      ]);
      // As the ledger writes it: a new lot without expiry.
      const right = await plant(store, [
        ...spent,
        {
          type: "refund",
          lotDeltas: [{ lot: 3, amount: 1 }],
          lotsAfter: [lot(3, 1)],
          refundOf: 2,
          at: day(7),
        },
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(dated)).toEqual([[3, "refund's lot for credits of expired lots has an expiry"]]);
      expect(of(unlisted)).toEqual([
        [3, "lot 3 (1 credits) is missing"],
        [3, "bonus lots add up to 0, the bonus bucket is 1"],
        [3, "refund's lot for credits of expired lots has an expiry"],
      ]);
      expect(of(right)).toEqual([]);
      expect(report.problemCount).toBe(4);
    });
  },
);
