import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import {
  BUCKETS,
  zeroBuckets,
  type BucketAmounts,
  type EntryReference,
  type EntryType,
  type LedgerEntry,
} from "../../src/ledger/types.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { problemsOf } from "../support/verify-faults.js";

/**
 * ledger:verify shown each plan bucket fault it looks for (verify-plan.ts), planted once in an
 * account of its own, straight into the store: reported once, with its problem, on that entry.
 * Each planted history is otherwise sound (buckets, balances and amounts add up; no lots and
 * no month use, as an older release wrote them), so the plan fault is all there is to find.
 */

/** A plan month of sub_1 (months start on the 10th). */
const NOV = { start: "2026-11-10T00:00:00.000Z", end: "2026-12-10T00:00:00.000Z" };
const DEC = { start: "2026-12-10T00:00:00.000Z", end: "2027-01-10T00:00:00.000Z" };
const NOV_END = new Date(NOV.end);

const monthOf = (m: { start: string; end: string }, subscription = "sub_1"): EntryReference => ({
  kind: "plan_month",
  subscription,
  monthStart: m.start,
  monthEnd: m.end,
  plan: "pro",
});

/** One planted entry; its buckets, balance and (unless given) amount follow from the ones before. */
interface Step {
  type: EntryType;
  at: string;
  deltas?: Partial<BucketAmounts>;
  amount?: number;
  /** Carried from the entry before when absent, as the ledger carries it. */
  planExpiresAt?: Date | null;
  reference?: EntryReference | null;
  /** A refund's charge, by its seq. */
  refundOf?: number;
}

/** A plan month's grant of `credits`, written at `at`, as the ledger writes one. */
const grantOf = (m: { start: string; end: string }, at: string, credits = 5): Step => ({
  type: "plan",
  at,
  deltas: { plan: credits },
  planExpiresAt: new Date(m.end),
  reference: monthOf(m),
});

/** The plan bucket's expiration: what is left (or `plan`) written off, its month's end cleared. */
const expirationAt = (at: string, plan: number, planExpiresAt: Date | null = null): Step => ({
  type: "expiration",
  at,
  deltas: { plan: -plan },
  planExpiresAt,
});

async function plant(store: Store, steps: Step[]): Promise<AccountId> {
  const id = newAccountId();
  const written: LedgerEntry[] = [];
  let buckets = zeroBuckets();
  let planExpiresAt: Date | null = null;
  for (const [i, s] of steps.entries()) {
    const deltas = { ...zeroBuckets(), ...s.deltas };
    const after = zeroBuckets();
    for (const b of BUCKETS) after[b] = buckets[b] + deltas[b];
    if (s.planExpiresAt !== undefined) planExpiresAt = s.planExpiresAt;
    const sum = BUCKETS.reduce((n, b) => n + deltas[b], 0);
    const r = await store.ledger.append(
      rawEntry(id, i + 1, {
        type: s.type,
        amount: s.amount ?? sum,
        deltas,
        bucketsAfter: after,
        balanceAfter: BUCKETS.reduce((n, b) => n + after[b], 0),
        reference: s.reference ?? null,
        refundOf: s.refundOf === undefined ? null : written[s.refundOf - 1]!.id,
        planExpiresAt,
        createdAt: new Date(s.at),
      }),
    );
    if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
    written.push(r.entry);
    buckets = after;
  }
  return id;
}

const PAST_END = `plan credits held past their month's end (${NOV.end})`;
const EARLY = "plan credits expired before their month ended";

describe.each(storeFactories())(
  "ledger:verify's plan bucket faults on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("keeps a planted history without faults clean: a month granted, spent, expired at its end, the next granted", async () => {
      const store = await create();
      const id = await plant(store, [
        grantOf(NOV, NOV.start, 3),
        { type: "usage", at: "2026-11-11T00:00:00Z", deltas: { plan: -1 } },
        { type: "purchase", at: "2026-11-12T00:00:00Z", deltas: { purchased: 2 } },
        expirationAt(NOV.end, 2),
        grantOf(DEC, "2026-12-10T00:00:01Z"),
      ]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([]);
      expect(report.problemCount).toBe(0);
    });

    describe("an entry the ledger writes only after settling what is due, holding plan credits past their month's end", () => {
      // The plan month runs to 2026-12-10; each history holds its credits into the 11th.
      it.each<[string, Step[]]>([
        ["a charge", [{ type: "usage", at: "2026-12-11T00:00:00Z", deltas: { plan: -1 } }]],
        [
          "a refund",
          [
            { type: "usage", at: "2026-11-11T00:00:00Z", deltas: { plan: -1 } },
            { type: "refund", at: "2026-12-11T00:00:00Z", deltas: { plan: 1 }, refundOf: 2 },
          ],
        ],
        ["a bonus grant", [{ type: "bonus", at: "2026-12-11T00:00:00Z", deltas: { bonus: 1 } }]],
        [
          "an adjustment",
          [{ type: "adjustment", at: "2026-12-11T00:00:00Z", deltas: { purchased: 1 } }],
        ],
        ["a purchase", [{ type: "purchase", at: NOV.end, deltas: { purchased: 1 } }]],
      ])("%s", async (_name, after) => {
        const store = await create();
        const id = await plant(store, [grantOf(NOV, NOV.start), ...after]);
        const { report, of } = await problemsOf(store.ledger);
        expect(of(id)).toEqual([[1 + after.length, PAST_END]]);
        expect(report.problemCount).toBe(1);
      });

      it("a plan grant of the month, written at its end", async () => {
        const store = await create();
        const id = await plant(store, [grantOf(NOV, NOV.end)]);
        const { report, of } = await problemsOf(store.ledger);
        expect(of(id)).toEqual([
          [1, "a plan grant written outside its month"],
          [1, PAST_END],
        ]);
        expect(report.problemCount).toBe(2);
      });
    });

    it("lets a bonus lot's expiration hold plan credits past the month's end (lots expire before the plan bucket)", async () => {
      const store = await create();
      const id = await plant(store, [
        { type: "bonus", at: NOV.start, deltas: { bonus: 1 } },
        grantOf(NOV, NOV.start),
        { type: "expiration", at: "2026-12-11T00:00:00Z", deltas: { bonus: -1 } },
        expirationAt("2026-12-11T00:00:00Z", 5),
      ]);
      expect((await problemsOf(store.ledger)).of(id)).toEqual([]);
    });

    it("finds a plan expiration that leaves plan credits", async () => {
      const store = await create();
      const id = await plant(store, [grantOf(NOV, NOV.start), expirationAt(NOV.end, 3, NOV_END)]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[2, "a plan expiration leaves plan credits"]]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a plan expiration as an account's first entry", async () => {
      const store = await create();
      const id = await plant(store, [expirationAt(NOV.start, 2)]);
      const { of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([
        [1, "plan is negative (-2)"],
        [1, "a plan expiration leaves plan credits"],
      ]);
    });

    describe("plan credits expired before their month ended", () => {
      it("with nothing after the expiration", async () => {
        const store = await create();
        const id = await plant(store, [
          grantOf(NOV, NOV.start),
          expirationAt("2026-12-09T23:59:59Z", 5),
        ]);
        const { report, of } = await problemsOf(store.ledger);
        expect(of(id)).toEqual([[2, EARLY]]);
        expect(report.problemCount).toBe(1);
      });

      it("when what follows is the same month's grant again, after other entries", async () => {
        const store = await create();
        const id = await plant(store, [
          grantOf(NOV, NOV.start),
          expirationAt("2026-11-20T00:00:00Z", 5),
          { type: "purchase", at: "2026-11-20T00:00:01Z", deltas: { purchased: 1 } },
          grantOf(NOV, "2026-11-20T00:00:02Z", 3),
        ]);
        const { report, of } = await problemsOf(store.ledger);
        expect(of(id)).toEqual([[2, EARLY]]);
        expect(report.problemCount).toBe(1);
      });

      it("twice over, each reported", async () => {
        const store = await create();
        // The first expiration leaves 2 credits and keeps the month's end; the second takes them.
        const id = await plant(store, [
          grantOf(NOV, NOV.start),
          expirationAt("2026-11-20T00:00:00Z", 3, NOV_END),
          expirationAt("2026-11-21T00:00:00Z", 2),
        ]);
        const { report, of } = await problemsOf(store.ledger);
        expect(of(id)).toEqual([
          [2, "a plan expiration leaves plan credits"],
          [2, EARLY],
          [3, EARLY],
        ]);
        expect(report.problemCount).toBe(3);
      });

      it("and then a grant whose credits never expire replaces it (only that grant is at fault)", async () => {
        const store = await create();
        const next = { start: "2026-11-20T00:00:00.000Z", end: "2026-12-20T00:00:00.000Z" };
        const id = await plant(store, [
          grantOf(NOV, NOV.start),
          expirationAt("2026-11-20T00:00:00Z", 5),
          { ...grantOf(next, "2026-11-20T00:00:01Z", 3), planExpiresAt: null },
        ]);
        const { report, of } = await problemsOf(store.ledger);
        expect(of(id)).toEqual([
          [3, "plan credits held without a month's end"],
          [3, "a plan grant's credits do not expire at its month's end"],
        ]);
        expect(report.problemCount).toBe(2);
      });

      it("but not when a grant of another month follows (a new subscription's month replaced it)", async () => {
        const store = await create();
        const next = { start: "2026-11-20T00:00:00.000Z", end: "2026-12-20T00:00:00.000Z" };
        const id = await plant(store, [
          grantOf(NOV, NOV.start),
          expirationAt("2026-11-20T00:00:00Z", 5),
          { type: "purchase", at: "2026-11-20T00:00:01Z", deltas: { purchased: 1 } },
          {
            ...grantOf(next, "2026-11-20T00:00:02Z", 3),
            reference: monthOf(next, "sub_2"),
          },
        ]);
        expect((await problemsOf(store.ledger)).of(id)).toEqual([]);
      });
    });

    describe("a plan grant that is not one", () => {
      const at = "2026-11-11T00:00:00Z";
      it.each<[string, Partial<Step>, [number, string][]]>([
        ["names no plan month", { reference: null }, [[1, "a plan grant names no plan month"]]],
        [
          "names a pull request instead of its month",
          {
            reference: { kind: "pull_request", repository: "acme/api", number: 1 },
          },
          [[1, "a plan grant names no plan month"]],
        ],
        ["grants nothing", { deltas: { plan: 0 } }, [[1, "a plan grant is not plan credits"]]],
        [
          "grants more than plan credits",
          { deltas: { plan: 3, purchased: 2 } },
          [[1, "a plan grant is not plan credits"]],
        ],
        [
          "has its credits expire at another time than its month's end",
          { planExpiresAt: new Date("2026-12-11T00:00:00Z") },
          [[1, "a plan grant's credits do not expire at its month's end"]],
        ],
        [
          "has its credits never expire",
          { planExpiresAt: null },
          [
            [1, "plan credits held without a month's end"],
            [1, "a plan grant's credits do not expire at its month's end"],
          ],
        ],
        [
          "is written before its month starts",
          { at: "2026-11-09T23:59:59Z" },
          [[1, "a plan grant written outside its month"]],
        ],
      ])("%s", async (_name, over, expected) => {
        const store = await create();
        const id = await plant(store, [{ ...grantOf(NOV, at), ...over }]);
        const { report, of } = await problemsOf(store.ledger);
        expect(of(id)).toEqual(expected);
        expect(report.problemCount).toBe(expected.length);
      });

      it("is written at the very start of its month: a grant within it", async () => {
        const store = await create();
        const id = await plant(store, [grantOf(NOV, NOV.start)]);
        expect((await problemsOf(store.ledger)).of(id)).toEqual([]);
      });
    });

    it("finds a charge as an account's first entry (nothing before it to spend from)", async () => {
      const store = await create();
      const id = await plant(store, [{ type: "usage", at: NOV.start, deltas: { purchased: -1 } }]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[1, "purchased is negative (-1)"]]);
      expect(report.problemCount).toBe(1);
    });
  },
);
