import { afterEach, describe, expect, it } from "@jest/globals";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import { rawEntry } from "../support/entries.js";
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
 * What reading the month's totals costs (Ledger.monthTotals, the billing summary): the newest
 * entry alone when it carries month use, even a previous release's after constant-size ones;
 * when it predates month use, the month's entries and not the account's whole history.
 */

const pr = apiPr;

/** A view of `store` that counts the entries and month uses read through the month's scans. */
function counting(store: LedgerStore): { store: LedgerStore; read: () => number } {
  let read = 0;
  const wrapped: LedgerStore = Object.create(store);
  wrapped.useSince = async function* (accountId, from) {
    for await (const r of store.useSince(accountId, from)) {
      read++;
      yield r;
    }
  };
  wrapped.stream = async function* (accountId, order, filter) {
    for await (const e of store.stream(accountId, order, filter)) {
      read++;
      yield e;
    }
  };
  return { store: wrapped, read: () => read };
}

describe.each(storeFactories())(
  "what reading the month's totals costs, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("after a previous release's entry that follows constant-size ones, reads no entry but the newest", async () => {
      const store = await create();
      const { clock, id, ledger } = await fundedAccount(store, 100);
      for (let n = 1; n <= 3; n++) {
        await ledger.charge(id, {
          action: "review",
          description: "r",
          reference: pr(n),
          idempotencyKey: `c${n}`,
        });
      }
      await previousReleaseCharge(store, clock.now(), id, "old", pr(9));
      const c = counting(store.ledger);
      const viewer = new Ledger({ store: c.store, now: clock.now, freePerMonth: 0 });
      expect(await viewer.monthTotals(id)).toEqual({
        period: "2026-11",
        charged: 4,
        requestedRefunds: 0,
        account: 4,
      });
      expect(c.read()).toBe(0);
    });

    it("when the newest entry predates month use, counts this month's entries, not earlier months'", async () => {
      const store = await create();
      const id = newAccountId();
      // Written before month use: a purchase and a charge a month from September to
      // November, the last charge early on November 1st.
      let balance = 0;
      const days = ["2026-09-02", "2026-09-03", "2026-10-02", "2026-10-03", "2026-11-01"];
      for (const [i, day] of days.entries()) {
        const amount = i === 0 ? 100 : -1;
        balance += amount;
        const appended = await store.ledger.append(
          rawEntry(id, i + 1, {
            type: amount > 0 ? "purchase" : "usage",
            amount,
            deltas: { free: 0, plan: 0, bonus: 0, purchased: amount },
            bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: balance },
            balanceAfter: balance,
            reference: amount > 0 ? null : pr(i),
            createdAt: new Date(`${day}T00:00:30Z`),
          }),
        );
        expect(appended.ok).toBe(true);
      }
      const c = counting(store.ledger);
      const { ledger } = makeLedger({ ...store, ledger: c.store }, new TestClock(), 0);
      expect(await ledger.monthTotals(id)).toEqual({
        period: "2026-11",
        charged: 1,
        requestedRefunds: 0,
        account: 1,
      });
      expect(c.read()).toBe(1);
    });
  },
);
