import { afterEach, describe, expect, it } from "@jest/globals";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import { plantWithoutMonthUse } from "../support/entries.js";
import { newAccountId, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The month counted from its entries (the newest predates month use) is the month as of the
 * newest entry read, one point in time, like every other read of the month (entry-use.ts):
 * an entry appended between that read and the count is not in it.
 */

const pr = (number: number) => ({
  kind: "pull_request" as const,
  repository: "acme/api",
  number,
  author: "bob",
});

describe.each(storeFactories())(
  "the month counted as of the newest entry read, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("leaves out an entry appended after the newest entry the reader saw", async () => {
      const store = await create();
      const id = newAccountId();
      // Written before month use: a purchase and two charges this month.
      await plantWithoutMonthUse(store.ledger, id, [
        [100, null],
        [-1, pr(2)],
        [-1, pr(3)],
      ]);
      // The reader saw seq 2 as the newest; seq 3 landed before it counted the month.
      const behind: LedgerStore = Object.create(store.ledger);
      behind.latest = async (accountId) => store.ledger.findByKey(accountId, "key-2");
      const ledger = new Ledger({ store: behind, now: new TestClock().now, freePerMonth: 0 });
      const use = await ledger.monthUse(id);
      expect(use).toMatchObject({ period: "2026-11", charged: 1, account: 1 });
      expect(use.repositories).toEqual([{ key: "acme/api", credits: 1, runs: 1 }]);
    });
  },
);
