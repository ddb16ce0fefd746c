import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { EntryUse } from "../../src/ledger/entry-use.js";
import type { ChargeInput } from "../../src/ledger/inputs.js";
import type { MonthUse } from "../../src/ledger/month-use.js";
import { previousReleaseCharge } from "../support/previous-release.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { mustCharge, problemsOf, reviewOf as review, type Pr } from "../support/verify-faults.js";

/**
 * ledger:verify on the month use entries carry (verify-month-use.ts): each fault planted once,
 * in an account of its own, is reported once with its exact problem on that entry alone; the
 * same history as the ledger wrote it stays clean.
 */

const reviewOf = (key: string, pr: Pr, limits?: ChargeInput["limits"]): ChargeInput =>
  // Every review here has an author.
  review(key, { author: "bob", ...pr }, limits);

const MONTH = "its month use is not what this month's entries before it add up to";

describe.each(storeFactories())(
  "ledger:verify's month-use faults on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function setup() {
      const store = await create();
      const clock = new TestClock();
      const { ledger } = makeLedger(store, clock, 0);
      return { store, ledger, clock };
    }

    /**
     * Twin accounts with the same purchase and the same charges; the twin's last charge is
     * copied into the account with its month use edited: the account holds one fault at that
     * seq, the twin none.
     */
    async function twinEdited(
      charges: ChargeInput[],
      last: ChargeInput,
      edit: (u: EntryUse) => EntryUse,
    ) {
      const { store, ledger, clock } = await setup();
      const id = newAccountId();
      const twin = newAccountId();
      for (const account of [id, twin]) {
        await ledger.grant(account, purchase("buy", 100));
        for (const c of charges) await mustCharge(ledger, account, c);
      }
      const copied = await mustCharge(ledger, twin, last);
      const r = await store.ledger.append({
        ...copied,
        accountId: id,
        monthUse: edit(structuredClone(copied.monthUse!)),
      });
      if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
      return { store, ledger, clock, id, twin, seq: copied.seq, copied };
    }

    it("finds a charge whose month's totals are wrong though its counters are right", async () => {
      const { store, id, twin, seq } = await twinEdited(
        [reviewOf("c1", { number: 1 })],
        reviewOf("c2", { number: 2 }),
        (u) => ({ ...u, charged: u.charged + 1 }),
      );
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[seq, MONTH]]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a charge whose repository counter carries another name", async () => {
      const { store, id, twin, seq } = await twinEdited(
        [reviewOf("c1", { number: 1 })],
        reviewOf("c2", { number: 2 }),
        (u) => ({ ...u, repositories: u.repositories.map((c) => ({ ...c, name: "acme/web" })) }),
      );
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[seq, MONTH]]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a charge whose month use says its start is a snapshot when it is not", async () => {
      const { store, id, twin, seq, copied } = await twinEdited(
        [reviewOf("c1", { number: 1 })],
        reviewOf("c2", { number: 2 }),
        (u) => ({ ...u, fromSnapshot: true }),
      );
      const from = copied.monthUse!.from!;
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([
        [seq, `its month use counts from seq ${from}, the entries give ${from}`],
      ]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a charge that warns again of budgets that warned this month", async () => {
      const limits = { account: 10, repository: 10, warnAtPercent: 10 };
      const { store, id, twin, seq } = await twinEdited(
        [reviewOf("c1", { number: 1 }, limits)],
        reviewOf("c2", { number: 2 }, limits),
        (u) => ({ ...u, warned: ["account", "repository:11"] }),
      );
      const first = (await store.ledger.findByKey(twin, "c1"))!;
      expect(first.monthUse!.warned).toEqual(["account", "repository:11"]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([
        [seq, "its month use warns again what warned this month: account, repository:11"],
      ]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    /** A charge by name (from before ids) warned its repository; one by id folds it in. */
    const byName = reviewOf(
      "c1",
      { number: 1, repositoryId: null },
      { repository: 10, warnAtPercent: 10 },
    );
    const byId = reviewOf("c2", { number: 2 });

    it("keeps the fold of a name's warning into its id clean, whatever order its counters come back in", async () => {
      const { store, id, twin, copied } = await twinEdited([byName], byId, (u) => ({
        ...u,
        repositories: [...u.repositories].reverse(),
        authors: [...u.authors].reverse(),
      }));
      const u = copied.monthUse!;
      expect(u.unwarned).toEqual(["repository:acme/api"]);
      expect(u.warned).toEqual(["repository:11"]);
      expect(u.repositories.map((c) => c.key).sort()).toEqual(["11", "acme/api"]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(0);
    });

    it("keeps an entry that reads back with no warning taken back as an empty list clean", async () => {
      const { store, id } = await twinEdited(
        [reviewOf("c1", { number: 1 })],
        reviewOf("c2", { number: 2 }),
        (u) => ({ ...u, unwarned: [] }),
      );
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([]);
      expect(report.problemCount).toBe(0);
    });

    it("finds a fold that does not take its name's warning back", async () => {
      const { store, id, twin, seq } = await twinEdited([byName], byId, (u) => {
        const { unwarned, ...rest } = u;
        expect(unwarned).toEqual(["repository:acme/api"]);
        return rest;
      });
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([
        [seq, "its month use does not take back the warnings its fold took back"],
      ]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a fold that takes back more warnings than its name's", async () => {
      const { store, id, twin, seq } = await twinEdited([byName], byId, (u) => ({
        ...u,
        unwarned: ["repository:acme/api", "account", "author:bob"],
      }));
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([
        [seq, "its month use takes back warnings no fold took back: account, author:bob"],
      ]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    it("finds a charge counting its month on from an entry without month use", async () => {
      const { store, ledger } = await setup();
      const twin = newAccountId();
      await ledger.grant(twin, purchase("buy", 100));
      const charge = await mustCharge(ledger, twin, reviewOf("c1", { number: 1 }));
      expect(charge.monthUse!.from).toBeDefined();
      // The entries before it as a release before month use wrote them, then the charge.
      const id = newAccountId();
      for await (const e of store.ledger.stream(twin, "asc")) {
        const r = await store.ledger.append({
          ...e,
          accountId: id,
          ...(e.seq < charge.seq ? { monthUse: null } : {}),
        });
        if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
      }
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([
        [charge.seq, "its month use counts from a month that an entry without month use began"],
      ]);
      expect(of(twin)).toEqual([]);
      expect(report.problemCount).toBe(1);
    });

    /** The previous release's write path (as ledger.previous-release.test.ts): one charge. */
    async function previousReleaseCharges(
      store: Store,
      clock: TestClock,
      id: AccountId,
      key: string,
    ) {
      return previousReleaseCharge(
        store,
        clock.now(),
        id,
        key,
        reviewOf(key, { number: 9 }).reference!,
      );
    }

    it("finds a previous release's charge that forgot a warning of its month, though its counters are right", async () => {
      const { store, ledger, clock } = await setup();
      const id = newAccountId();
      await ledger.grant(id, purchase("buy", 100));
      const limits = { repository: 10, warnAtPercent: 10 };
      // One repository, one author: the newest entry's counters are all the month has.
      const first = await mustCharge(ledger, id, reviewOf("c1", { number: 1 }, limits));
      expect(first.monthUse!.warned).toEqual(["repository:11"]);
      await mustCharge(ledger, id, reviewOf("c2", { number: 2 }, limits));
      const old = await previousReleaseCharges(store, clock, id, "old");
      expect(old.monthUse!.warned).toEqual([]);
      expect(old.monthUse!.repositories).toEqual([
        { key: "11", name: "acme/api", credits: 3, runs: 3 },
      ]);
      const next = await mustCharge(ledger, id, reviewOf("c3", { number: 3 }, limits));
      expect(next.monthUse!.warned).toEqual(["repository:11"]);
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([[old.seq, MONTH]]);
      expect(report.problemCount).toBe(1);
    });

    it("takes which budgets warned from a whole-month entry as it holds them, in any order", async () => {
      const { store } = await setup();
      const id = await wholeMonthCharges(
        store,
        (u) => u,
        (n) => (n === 1 ? ["account", "author:bob"] : ["author:bob", "account"]),
      );
      const { report, of } = await problemsOf(store.ledger);
      expect(of(id)).toEqual([]);
      expect(report.problemCount).toBe(0);
    });

    /**
     * A grant and two whole-month charges of acme/api#1 and #2 by bob, each warned as `warned`
     * says; `edit` changes the second's use.
     */
    async function wholeMonthCharges(
      store: Store,
      edit: (use: MonthUse) => MonthUse,
      warned: (n: number) => string[] = () => [],
    ) {
      const id = newAccountId();
      const use = (n: number): MonthUse => ({
        period: "2026-11",
        charged: n,
        requestedRefunds: 0,
        account: n,
        repositories: [{ key: "11", name: "acme/api", credits: n, runs: n }],
        authors: [{ key: "bob", credits: n, runs: n }],
        warned: warned(n),
      });
      const planted = [
        rawEntry(id, 1, {
          amount: 10,
          deltas: { free: 0, plan: 0, bonus: 10, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 10, purchased: 0 },
          balanceAfter: 10,
        }),
        ...[1, 2].map((n) =>
          rawEntry(id, n + 1, {
            type: "usage",
            amount: -1,
            deltas: { free: 0, plan: 0, bonus: -1, purchased: 0 },
            bucketsAfter: { free: 0, plan: 0, bonus: 10 - n, purchased: 0 },
            balanceAfter: 10 - n,
            reference: {
              kind: "pull_request",
              repository: "acme/api",
              repositoryId: 11,
              number: n,
              author: "bob",
            },
            monthUse: n === 2 ? edit(use(n)) : use(n),
          }),
        ),
      ];
      for (const e of planted) {
        const r = await store.ledger.append(e);
        if (!r.ok) throw new Error(`planting failed: ${r.conflict}`);
      }
      return id;
    }

    it("finds a previous release's whole-month charge whose counters are wrong though its totals are right", async () => {
      const { store } = await setup();
      const clean = await wholeMonthCharges(store, (u) => u);
      const repository = await wholeMonthCharges(store, (u) => ({
        ...u,
        repositories: [{ key: "11", name: "acme/api", credits: 5, runs: 2 }],
      }));
      const author = await wholeMonthCharges(store, (u) => ({
        ...u,
        authors: [{ key: "bob", credits: 2, runs: 1 }],
      }));
      const name = await wholeMonthCharges(store, (u) => ({
        ...u,
        repositories: [{ key: "11", name: "acme/web", credits: 2, runs: 2 }],
      }));
      const { report, of } = await problemsOf(store.ledger);
      expect(of(clean)).toEqual([]);
      expect(of(repository)).toEqual([[3, MONTH]]);
      expect(of(author)).toEqual([[3, MONTH]]);
      expect(of(name)).toEqual([[3, MONTH]]);
      expect(report.problemCount).toBe(3);
    });
  },
);
