import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { Ledger } from "../../src/ledger/ledger.js";
import type { Store } from "../../src/store/store.js";
import { plantWithoutMonthUse } from "../support/entries.js";
import {
  apiPr,
  fundedAccount,
  makeLedger,
  newAccountId,
  TestClock,
} from "../support/ledger-fixture.js";
import { previousReleaseCharge } from "../support/previous-release.js";
import { storeFactories } from "../support/stores.js";

/**
 * The month's totals (Ledger.monthTotals: the billing summary) and counters for people
 * (Ledger.monthCounters: GET /budgets) whatever the newest entry is: none yet, one written
 * before month use, last month's, or a whole-month entry of a previous release. Each is the
 * month as the next charge would see it, and the counters' read leaves out the warnings and
 * the kinds not asked for.
 */

const pr = apiPr;

const review = (key: string, number: number, limits = {}) => ({
  action: "review" as const,
  description: "r",
  reference: pr(number),
  idempotencyKey: key,
  limits,
});

const REPOSITORIES_ONLY = { repositories: true, authors: false };
const zero = (period: string) => ({ period, charged: 0, requestedRefunds: 0, account: 0 });

describe.each(storeFactories())(
  "the month's totals and counters for every form of newest entry, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function funded(): Promise<{
      store: Store;
      clock: TestClock;
      id: AccountId;
      ledger: Ledger;
    }> {
      const store = await create();
      const { clock, id, ledger } = await fundedAccount(store, 100);
      return { store, clock, id, ledger };
    }

    it("are zero for an account with no entry", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, new TestClock(), 0);
      const id = newAccountId();
      expect(await ledger.monthTotals(id)).toEqual(zero("2026-11"));
      expect(await ledger.monthCounters(id, REPOSITORIES_ONLY)).toEqual({
        ...zero("2026-11"),
        repositories: [],
        authors: [],
        warned: [],
      });
    });

    it("start again in a new month: last month's newest entry is not this month's", async () => {
      const { clock, id, ledger } = await funded();
      for (let n = 1; n <= 2; n++) {
        expect(await ledger.charge(id, review(`c${n}`, n))).toMatchObject({ status: "created" });
      }
      expect(await ledger.monthTotals(id)).toEqual({ ...zero("2026-11"), charged: 2, account: 2 });
      clock.set("2026-12-02T10:00:00Z");
      expect(await ledger.monthTotals(id)).toEqual(zero("2026-12"));
      expect(await ledger.monthCounters(id, { repositories: true, authors: true })).toEqual({
        ...zero("2026-12"),
        repositories: [],
        authors: [],
        warned: [],
      });
    });

    it("are counted from the month's entries when the newest predates month use", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, new TestClock(), 0);
      const id = newAccountId();
      // Written before month use: a purchase and two charges this month.
      await plantWithoutMonthUse(store.ledger, id, [
        [100, null],
        [-1, pr(2)],
        [-1, pr(3)],
      ]);
      expect(await ledger.monthTotals(id)).toEqual({ ...zero("2026-11"), charged: 2, account: 2 });
      expect(await ledger.monthCounters(id, REPOSITORIES_ONLY)).toEqual({
        ...zero("2026-11"),
        charged: 2,
        account: 2,
        repositories: [{ key: "11", name: "acme/api", credits: 2, runs: 2 }],
        authors: [],
        warned: [],
      });
    });

    it("are a previous release's whole-month entry's when it is the month's snapshot, without its warnings", async () => {
      const { store, clock, id, ledger } = await funded();
      // November's charges are constant-size; December's first entry is the previous release's.
      expect(await ledger.charge(id, review("nov", 1))).toMatchObject({ status: "created" });
      clock.set("2026-12-02T10:00:00Z");
      await previousReleaseCharge(store, clock.now(), id, "dec", pr(2, "alice"), ["account"]);
      const totals = { ...zero("2026-12"), charged: 1, account: 1 };
      expect(await ledger.monthTotals(id)).toEqual(totals);
      expect(await ledger.monthCounters(id, REPOSITORIES_ONLY)).toEqual({
        ...totals,
        repositories: [{ key: "11", name: "acme/api", credits: 1, runs: 1 }],
        authors: [],
        warned: [],
      });
      expect(await ledger.monthCounters(id, { repositories: false, authors: true })).toEqual({
        ...totals,
        repositories: [],
        authors: [{ key: "alice", credits: 1, runs: 1 }],
        warned: [],
      });
      // The warning is the month's still: the next charge past the share does not warn again.
      const next = await ledger.charge(id, review("dec-2", 3, { account: 2, warnAtPercent: 50 }));
      expect(next).toMatchObject({ status: "created", warnings: [] });
    });
  },
);
