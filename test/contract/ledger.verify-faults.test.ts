import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { LedgerStore, NewEntry } from "../../src/ledger/ledger-store.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { mustCharge, problemsOf, reviewOf, type Pr } from "../support/verify-faults.js";

/**
 * ledger:verify shown each fault it looks for, planted once in an account of its own (straight
 * into the store, as a bug or a hand edit in the database would leave it): each is reported,
 * once, on that account alone; a ledger the ledger wrote itself stays clean.
 */

describe.each(storeFactories())(
  "ledger:verify's faults on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function setup() {
      const store = await create();
      const clock = new TestClock();
      const { ledger } = makeLedger(store, clock, 3);
      return { store, ledger, clock };
    }

    /** Appends raw entries to a new account. */
    async function plant(store: Store, ...entries: ((id: AccountId) => NewEntry)[]) {
      const id = newAccountId();
      for (const e of entries) {
        const r = await store.ledger.append(e(id));
        if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
      }
      return id;
    }

    it("keeps a busy ledger the ledger wrote itself clean", async () => {
      const { store, ledger, clock } = await setup();
      const id = newAccountId();
      await ledger.grant(id, purchase("buy", 20));
      await ledger.grant(id, {
        type: "bonus",
        amount: 4,
        description: "bonus",
        idempotencyKey: "bonus",
        expiresAt: new Date("2026-11-20T00:00:00Z"),
      });
      const limits = { account: 30, repository: 10, author: 8, warnAtPercent: 50 };
      for (let n = 1; n <= 9; n++) {
        const pr = { number: n, repositoryId: 10 + (n % 2), author: n % 3 ? "bob" : "carol" };
        await mustCharge(ledger, id, reviewOf(`c${n}`, pr, limits));
      }
      const refunds = [await ledger.refund(id, { chargeKey: "c2" })];
      refunds.push(
        await ledger.refund(id, {
          chargeKey: "c3",
          request: { userId: 1, login: "bob", reason: "wrong" },
        }),
      );
      await ledger.adjust(id, {
        amount: 2,
        bucket: "free",
        description: "up",
        idempotencyKey: "a1",
      });
      await ledger.adjust(id, {
        amount: -50,
        bucket: "purchased",
        description: "down",
        idempotencyKey: "a2",
      });
      clock.set("2026-11-25T00:00:00Z");
      // The first 3 charges took free credits, the next 4 the bonus lot, which has expired since.
      refunds.push(await ledger.refund(id, { chargeKey: "c5" }));
      clock.set("2026-12-02T00:00:00Z");
      await ledger.grant(id, purchase("buy-dec", 5));
      await mustCharge(ledger, id, reviewOf("dec-1", { number: 1, author: "bob" }, limits));
      refunds.push(await ledger.refund(id, { chargeKey: "c4" })); // last month's
      expect(refunds.map((r) => r.status)).toEqual(["created", "created", "created", "created"]);
      const { report } = await problemsOf(store.ledger);
      expect(report.problems).toEqual([]);
      expect(report.problemCount).toBe(0);
      expect(report.entries).toBeGreaterThan(20);
    });

    it("finds an amount that is not the sum of its bucket changes", async () => {
      const { store } = await setup();
      const id = await plant(
        store,
        (id) => rawEntry(id, 1),
        (id) => rawEntry(id, 2, { amount: 3 }),
      );
      const { of } = await problemsOf(store.ledger);
      // The balance then follows the buckets or the amounts, never both.
      expect(of(id)).toEqual([
        [2, "amount 3 is not the sum of its bucket changes"],
        [2, "balance_after is 2, the sum of entries up to it is 4"],
      ]);
    });

    it("finds a negative bucket", async () => {
      const { store } = await setup();
      const id = await plant(
        store,
        (id) => rawEntry(id, 1),
        (id) =>
          rawEntry(id, 2, {
            type: "adjustment",
            amount: -2,
            deltas: { free: 0, plan: 0, bonus: -2, purchased: 0 },
            bucketsAfter: { free: 0, plan: 0, bonus: -1, purchased: 0 },
            balanceAfter: -1,
          }),
      );
      const { of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[2, "bonus is negative (-1)"]]);
    });

    it("finds a refund of nothing: of no charge, of another account's charge, of a grant", async () => {
      const { store, ledger } = await setup();
      const other = newAccountId();
      await ledger.grant(other, purchase("buy", 5));
      const foreign = await mustCharge(ledger, other, reviewOf("c1", { number: 1 }));
      const refund = (refundOf: string | null) => (id: AccountId) =>
        rawEntry(id, 2, {
          type: "refund",
          amount: 1,
          deltas: { free: 0, plan: 0, bonus: 1, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 2, purchased: 0 },
          balanceAfter: 2,
          refundOf,
        });
      const ofNothing = await plant(store, (id) => rawEntry(id, 1), refund(null));
      const ofForeign = await plant(store, (id) => rawEntry(id, 1), refund(foreign.id));
      const grantId = newAccountId();
      const grant = await store.ledger.append(rawEntry(grantId, 1));
      if (!grant.ok) throw new Error("planting failed");
      await store.ledger.append(refund(grant.entry.id)(grantId));

      const { report, of } = await problemsOf(store.ledger);
      expect(of(ofNothing)).toEqual([[2, "refund names no charge"]]);
      expect(of(ofForeign)).toEqual([[2, "refund does not follow a usage charge of this account"]]);
      expect(of(grantId)).toEqual([[2, "refund does not follow a usage charge of this account"]]);
      expect(of(other)).toEqual([]);
      expect(report.problemCount).toBe(3);
    });

    it("finds a charge refunded twice (a database whose one-refund-per-charge index was lost)", async () => {
      const { store, ledger } = await setup();
      const id = newAccountId();
      await ledger.grant(id, purchase("buy", 5));
      const charge = await mustCharge(ledger, id, reviewOf("c1", { number: 1 }));
      const first = await ledger.refund(id, { chargeKey: "c1" });
      if (!("entry" in first)) throw new Error("refund refused");
      const r = first.entry;
      // The store refuses a second refund of one charge, so the check reads a copy that has it.
      const second: LedgerEntry = {
        ...r,
        id: `${r.id}-again`,
        seq: r.seq + 1,
        idempotencyKey: "refund-again",
        bucketsAfter: { ...r.bucketsAfter, purchased: r.bucketsAfter.purchased + 1 },
        balanceAfter: r.balanceAfter + 1,
      };
      const view: LedgerStore = Object.create(store.ledger);
      view.stream = async function* (accountId, order, filter) {
        yield* store.ledger.stream(accountId, order, filter);
        if (accountId === id) yield second;
      };
      const { report, of } = await problemsOf(view);
      expect(of(id).filter(([, p]) => /refunded more than once/.test(p))).toEqual([
        [second.seq, "charge refunded more than once"],
      ]);
      expect(of(id).every(([seq]) => seq === second.seq)).toBe(true);
      expect(charge.seq).toBeLessThan(r.seq);
      // The store as it is holds one refund of the charge: clean.
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
      expect(report.problemCount).toBeGreaterThan(0);
    });

    /**
     * Twin accounts with the same money and the same first charge. The twin's second charge is
     * copied, as a whole, into the account after its first charge, naming the first's pull
     * request: its month use holds the account's totals, but counts someone or something else.
     */
    async function twinCopy(firstPr: Pr, twinPr: Pr) {
      const { store, ledger } = await setup();
      const id = newAccountId();
      const twin = newAccountId();
      for (const account of [id, twin]) await ledger.grant(account, purchase("buy", 10));
      const first = await mustCharge(ledger, id, reviewOf("c1", firstPr));
      await mustCharge(ledger, twin, reviewOf("c1", firstPr));
      const copied = await mustCharge(ledger, twin, reviewOf("c2", twinPr));
      const r = await store.ledger.append({
        ...copied,
        accountId: id,
        idempotencyKey: "planted",
        reference: first.reference,
      });
      if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
      return { store, id, seq: copied.seq, twin };
    }

    it("finds a charge whose month use counts the wrong repository", async () => {
      const api = { number: 1, repositoryId: 11, repository: "acme/api", author: "bob" };
      const web = { number: 1, repositoryId: 12, repository: "acme/web", author: "bob" };
      const { store, id, seq, twin } = await twinCopy(api, web);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[seq, expect.stringMatching(/month use/)]]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a charge whose month use counts the wrong author", async () => {
      const bob = { number: 1, author: "bob" };
      const carol = { number: 2, author: "carol" };
      const { store, id, seq, twin } = await twinCopy(bob, carol);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[seq, expect.stringMatching(/month use/)]]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });
  },
);
