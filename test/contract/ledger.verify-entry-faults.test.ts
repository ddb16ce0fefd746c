import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { LedgerStore, NewEntry } from "../../src/ledger/ledger-store.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import {
  makeLedger,
  newAccountId,
  planGrant,
  reviewCharge,
  TestClock,
} from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { problemsOf } from "../support/verify-faults.js";

/**
 * ledger:verify on faults of single entries, each planted once in an account of its own
 * (straight into the store, as a bug or a hand edit in the database would leave it): reported
 * once, with its exact problem, on that account alone; and how the report counts them.
 */

/** A pull request charge of one bonus credit, as the raw entries below hold them. */
const usage =
  (seq: number, bonusAfter: number, over: Partial<NewEntry> = {}) =>
  (id: AccountId) =>
    rawEntry(id, seq, {
      type: "usage",
      amount: -1,
      deltas: { free: 0, plan: 0, bonus: -1, purchased: 0 },
      bucketsAfter: { free: 0, plan: 0, bonus: bonusAfter, purchased: 0 },
      balanceAfter: bonusAfter,
      reference: { kind: "pull_request", repository: "acme/api", repositoryId: 11, number: seq },
      ...over,
    });

/** A refund of one bonus credit of the charge `refundOf`. */
const refund =
  (seq: number, bonusAfter: number, refundOf: string, over: Partial<NewEntry> = {}) =>
  (id: AccountId) =>
    rawEntry(id, seq, {
      type: "refund",
      amount: 1,
      deltas: { free: 0, plan: 0, bonus: 1, purchased: 0 },
      bucketsAfter: { free: 0, plan: 0, bonus: bonusAfter, purchased: 0 },
      balanceAfter: bonusAfter,
      reference: { kind: "pull_request", repository: "acme/api", repositoryId: 11, number: 2 },
      refundOf,
      ...over,
    });

const grantOf = (amount: number) => (id: AccountId) =>
  rawEntry(id, 1, {
    amount,
    deltas: { free: 0, plan: 0, bonus: amount, purchased: 0 },
    bucketsAfter: { free: 0, plan: 0, bonus: amount, purchased: 0 },
    balanceAfter: amount,
  });

describe.each(storeFactories())(
  "ledger:verify's entry faults on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    /** Appends raw entries to a new account, each built from the ids of those before it. */
    async function plant(
      store: Store,
      ...entries: ((id: AccountId, before: LedgerEntry[]) => NewEntry)[]
    ) {
      const id = newAccountId();
      const planted: LedgerEntry[] = [];
      for (const e of entries) {
        const r = await store.ledger.append(e(id, planted));
        if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
        planted.push(r.entry);
      }
      return { id, planted };
    }

    it("counts every problem and every account, and lists only the first maxProblems", async () => {
      const store = await create();
      const amountOff = (seq: number) => (id: AccountId) => rawEntry(id, seq, { amount: 3 });
      // Each wrong amount is two problems (its sum of buckets, and the balance it gives).
      const { id } = await plant(store, (id) => rawEntry(id, 1), amountOff(2));
      const { id: other } = await plant(store, (id) => rawEntry(id, 1));
      const all = await verifyLedger(store.ledger);
      expect(all.accounts).toBe(2);
      expect(all.entries).toBe(3);
      expect(all.problemCount).toBe(2);

      const { report, of } = await problemsOf(store.ledger, 1);
      expect(report.problemCount).toBe(2);
      expect(report.problems).toHaveLength(1);
      expect(of(id)).toEqual([[2, "amount 3 is not the sum of its bucket changes"]]);
      expect(of(other)).toEqual([]);
      expect(report.accounts).toBe(2);

      const none = await verifyLedger(store.ledger, 0);
      expect(none.problems).toEqual([]);
      expect(none.problemCount).toBe(2);
      const exact = await verifyLedger(store.ledger, 2);
      expect(exact.problems).toHaveLength(2);
    });

    it("finds an amount that is not a whole number of credits", async () => {
      const store = await create();
      const { id } = await plant(
        store,
        (id) => rawEntry(id, 1),
        (id) =>
          rawEntry(id, 2, {
            amount: 1.5,
            deltas: { free: 0, plan: 0, bonus: 1.5, purchased: 0 },
            bucketsAfter: { free: 0, plan: 0, bonus: 2.5, purchased: 0 },
            balanceAfter: 2.5,
          }),
      );
      const { id: whole } = await plant(
        store,
        (id) => rawEntry(id, 1),
        (id) => rawEntry(id, 2),
      );
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[2, "an amount is not an integer"]]);
      expect(of(whole)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a refund that names a later charge of the account", async () => {
      const store = await create();
      // The refund is written before its charge; its charge's id is known only once written,
      // so the check reads the refund as naming it (a database edited by hand).
      const { id, planted } = await plant(
        store,
        grantOf(5),
        refund(2, 6, "to-be-named"),
        usage(3, 5),
      );
      const [, r, charge] = planted as [LedgerEntry, LedgerEntry, LedgerEntry];
      const view: LedgerStore = Object.create(store.ledger);
      view.stream = async function* (accountId, order, filter) {
        for await (const e of store.ledger.stream(accountId, order, filter)) {
          yield e.id === r.id ? { ...e, refundOf: charge.id } : e;
        }
      };
      const { report, of } = await problemsOf(view);
      expect(of(id)).toEqual([[2, "refund does not follow a usage charge of this account"]]);
      expect(report.problemCount).toBe(1);
    });

    it("keeps a refund of an earlier charge clean, and finds one of a grant", async () => {
      const store = await create();
      const { id } = await plant(store, grantOf(5), usage(2, 4), (id, [, c]) =>
        refund(3, 5, c!.id)(id),
      );
      const { id: ofGrant } = await plant(store, grantOf(5), usage(2, 4), (id, [g]) =>
        refund(3, 5, g!.id)(id),
      );
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([]);
      expect(of(ofGrant)).toEqual([[3, "refund does not follow a usage charge of this account"]]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a net-spend total counted from the wrong entry", async () => {
      const store = await create();
      const { id } = await plant(
        store,
        (id) => rawEntry(id, 1, { spent: { total: 0, from: 1 } }),
        usage(2, 0, { spent: { total: 1, from: 2 } }),
        (id) =>
          rawEntry(id, 3, {
            bucketsAfter: { free: 0, plan: 0, bonus: 1, purchased: 0 },
            balanceAfter: 1,
            spent: { total: 1, from: 2 },
          }),
      );
      const { id: good } = await plant(
        store,
        (id) => rawEntry(id, 1, { spent: { total: 0, from: 1 } }),
        usage(2, 0, { spent: { total: 1, from: 1 } }),
      );
      const { id: wrongTotal } = await plant(
        store,
        (id) => rawEntry(id, 1, { spent: { total: 0, from: 1 } }),
        usage(2, 0, { spent: { total: 0, from: 1 } }),
      );
      const { report, of } = await problemsOf(store.ledger);
      // The entry after the wrong one counts on from it: one problem.
      expect(of(id)).toEqual([
        [2, "its net spend is 1 counted from seq 2, the entries give 1 from seq 1"],
      ]);
      expect(of(good)).toEqual([]);
      expect(of(wrongTotal)).toEqual([
        [2, "its net spend is 0 counted from seq 1, the entries give 1 from seq 1"],
      ]);
      expect(report.problemCount).toBe(2);
    });

    it("finds refunds asked for beyond the month's cap, on the refund that went over it", async () => {
      const store = await create();
      const request = { userId: 7, login: "bob", reason: "wrong" };
      // One credit charged: the cap is 1. Two charges refunded on request: 2 asked for.
      const { id } = await plant(
        store,
        grantOf(5),
        usage(2, 4),
        usage(3, 3),
        (id, [, c]) => refund(4, 4, c!.id, { refundRequest: request })(id),
        (id, [, , c]) => refund(5, 5, c!.id, { refundRequest: request })(id),
        usage(6, 4),
        (id) =>
          rawEntry(id, 7, {
            bucketsAfter: { free: 0, plan: 0, bonus: 5, purchased: 0 },
            balanceAfter: 5,
          }),
      );
      const { id: under } = await plant(store, grantOf(5), usage(2, 4), usage(3, 3), (id, [, c]) =>
        refund(4, 4, c!.id, { refundRequest: request })(id),
      );
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[5, "refunds asked for this month (2) exceed the cap (1)"]]);
      expect(of(under)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a refund that turns plan credits of a running month into bonus credits", async () => {
      const store = await create();
      const clock = new TestClock();
      const { ledger } = makeLedger(store, clock, 0);
      const NOV = {
        start: new Date("2026-11-10T00:00:00Z"),
        end: new Date("2026-12-10T00:00:00Z"),
      };
      const good = newAccountId();
      const bad = newAccountId();
      for (const id of [good, bad]) {
        await ledger.grantPlan(id, planGrant(NOV, { credits: 2 }));
        await ledger.charge(id, reviewCharge("c1"));
      }
      const done = await ledger.refund(good, { chargeKey: "c1" });
      if (!("entry" in done)) throw new Error("refund refused");
      const { id: refundId, ...rest } = done.entry;
      expect(refundId).toBeTruthy();
      const charge = (await store.ledger.findByKey(bad, "c1"))!;
      const latest = (await store.ledger.latest(bad))!;
      const seq = latest.seq + 1;
      const r = await store.ledger.append({
        ...rest,
        accountId: bad,
        seq,
        refundOf: charge.id,
        deltas: { free: 0, plan: 0, bonus: 1, purchased: 0 },
        bucketsAfter: { free: 0, plan: 1, bonus: 1, purchased: 0 },
        balanceAfter: latest.balanceAfter + 1,
        lotDeltas: [{ lot: seq, amount: 1 }],
        lotsAfter: [{ lot: seq, expiresAt: null, remaining: 1 }],
      });
      expect(r.ok).toBe(true);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(good)).toEqual([]);
      expect(of(bad)).toEqual([
        [seq, "refund gives plan credits back as bonus credits while a plan month runs"],
      ]);
      expect(report.problemCount).toBe(1);
    });
  },
);
