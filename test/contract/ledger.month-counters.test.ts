import { afterEach, describe, expect, it, jest } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { Ledger } from "../../src/ledger/ledger.js";
import type { UseCounter } from "../../src/ledger/month-use.js";
import type { Store } from "../../src/store/store.js";
import { plantWithoutMonthUse } from "../support/entries.js";
import { makeLedger, newAccountId, purchase, type TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The month's counters for people (Ledger.monthCounters: GET /budgets, the billing summary's
 * budgets) are read from the newest entry carrying each, not from the month's entries: they
 * must be exactly the counters of the whole month (Ledger.monthUse), whatever was charged,
 * refunded, emptied or carried over from an entry of the whole-month form.
 */
const sorted = (cs: readonly UseCounter[]) =>
  [...cs]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((c) => [c.key, c.name ?? null, c.credits, c.runs]);

const ref = (i: number, repo: number, author: string) => ({
  kind: "pull_request" as const,
  repository: `acme/repo-${repo}`,
  repositoryId: 500 + repo,
  number: i,
  author,
});

/** A small deterministic sequence of charges and refunds over a few repositories and authors. */
async function churn(ledger: Ledger, id: AccountId, clock: TestClock, check: () => Promise<void>) {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 1000;
  const charged: string[] = [];
  for (let i = 1; i <= 40; i++) {
    if (i === 30) clock.set("2026-12-02T10:00:00Z"); // a month roll on the way
    if (charged.length > 0 && next() % 4 === 0) {
      const key = charged.splice(next() % charged.length, 1)[0]!;
      await ledger.refund(id, { chargeKey: key });
    } else {
      const key = `c${i}`;
      await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: ref(i, next() % 4, `dev-${next() % 5}`),
        idempotencyKey: key,
      });
      charged.push(key);
    }
    await check();
  }
}

describe.each(storeFactories())(
  "the month's counters for people on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    const expectSame = async (store: Store, ledger: Ledger, id: AccountId) => {
      const whole = await ledger.monthUse(id);
      const read = await ledger.monthCounters(id, { repositories: true, authors: true });
      expect(sorted(read.repositories)).toEqual(sorted(whole.repositories));
      expect(sorted(read.authors)).toEqual(sorted(whole.authors));
      expect([read.period, read.charged, read.account]).toEqual([
        whole.period,
        whole.charged,
        whole.account,
      ]);
      const only = await ledger.monthCounters(id, { repositories: false, authors: true });
      expect(only.repositories).toEqual([]);
      expect(sorted(only.authors)).toEqual(sorted(whole.authors));
      void store;
    };

    it("are the whole month's, through charges, refunds and a month roll, without reading the month", async () => {
      const store = await create();
      const { ledger, clock } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      await ledger.grant(id, purchase("p", 100));
      await churn(ledger, id, clock, () => expectSame(store, ledger, id));
      const stream = jest.spyOn(store.ledger, "stream");
      const useSince = jest.spyOn(store.ledger, "useSince");
      const streamRows = jest.spyOn(store.ledger, "streamRows");
      await ledger.monthCounters(id, { repositories: true, authors: true });
      expect([stream, useSince, streamRows].map((s) => s.mock.calls.length)).toEqual([0, 0, 0]);
    });

    it("include what an entry of the whole-month form carried, as the snapshot the month started from", async () => {
      const store = await create();
      const { ledger, clock } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      // Written before month use: a purchase and two charges this month.
      await plantWithoutMonthUse(store.ledger, id, [
        [100, null],
        [-1, ref(1, 0, "dev-0")],
        [-1, ref(2, 9, "dev-9")],
      ]);
      clock.set("2026-11-10T12:00:00Z");
      await churn(ledger, id, clock, () => expectSame(store, ledger, id));
    });
  },
);
