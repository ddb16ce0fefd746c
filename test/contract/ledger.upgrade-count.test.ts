import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { ChargeInput } from "../../src/ledger/inputs.js";
import type { ChargeLimits } from "../../src/ledger/month-use.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const pr = (number: number) => ({
  kind: "pull_request" as const,
  repository: "acme/api",
  number,
  author: "bob",
});

const review = (key: string, number: number, limits: ChargeLimits): ChargeInput => ({
  action: "review",
  description: `Review of acme/api#${number}`,
  reference: pr(number),
  idempotencyKey: key,
  limits,
});

/**
 * An account whose entries were all written by a release before month use: a purchase and a
 * charge last month, three charges this month, then refunds of one of this month's charges
 * and of last month's. This month's budgets have used 2 credits (3 charged, 1 given back);
 * last month's charge and its refund are not this month's.
 */
async function upgradedAccount(store: Store): Promise<AccountId> {
  const id = newAccountId();
  let balance = 100;
  let seq = 0;
  const append = async (over: Parameters<typeof rawEntry>[2]) => {
    balance += over!.amount!;
    seq++;
    const e = rawEntry(id, seq, {
      deltas: { free: 0, plan: 0, bonus: 0, purchased: over!.amount! },
      bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: balance },
      balanceAfter: balance,
      ...over,
    });
    const written = await store.ledger.append(e);
    if (!written.ok) throw new Error(`planting ${seq} failed`);
    return written.entry;
  };
  balance = 0;
  await append({ type: "purchase", amount: 100, freePeriod: "2026-10", createdAt: day(10, 5) });
  const october = await append({
    type: "usage",
    amount: -1,
    freePeriod: "2026-10",
    reference: pr(1),
    createdAt: day(10, 20),
  });
  const november = await append({
    type: "usage",
    amount: -1,
    reference: pr(2),
    createdAt: day(11, 2),
  });
  await append({ type: "usage", amount: -1, reference: pr(3), createdAt: day(11, 3) });
  await append({ type: "usage", amount: -1, reference: pr(4), createdAt: day(11, 4) });
  for (const [charge, date] of [
    [november, 5],
    [october, 6],
  ] as const) {
    await append({
      type: "refund",
      amount: 1,
      reference: charge.reference,
      refundOf: charge.id,
      idempotencyKey: `refund:${charge.idempotencyKey}`,
      createdAt: day(11, date),
    });
  }
  return id;
}

const day = (month: number, date: number) => new Date(Date.UTC(2026, month - 1, date, 9));

describe.each(storeFactories())(
  "the month counted once after the upgrade, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("counts this month's charges less their refunds, not last month's", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, new TestClock(new Date("2026-11-20T10:00:00Z")), 0);
      const id = await upgradedAccount(store);

      // 2 used of 3: one more fits, on every budget.
      const limits = { account: 3, repository: 3, author: 3 };
      expect(await ledger.charge(id, review("new-1", 5, limits))).toMatchObject({
        status: "created",
      });
      for (const budget of ["account", "repository", "author"] as const) {
        expect(await ledger.charge(id, review("new-2", 6, { [budget]: 3 }))).toEqual({
          status: "over_budget",
          budget,
          cap: 3,
          used: 3,
          cost: 1,
        });
      }
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("the refund of one of this month's charges gives its run back; last month's does not count", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, new TestClock(new Date("2026-11-20T10:00:00Z")), 0);
      const id = await upgradedAccount(store);
      // #2 was charged and refunded this month, #1 charged last month: neither has a run now.
      for (const number of [1, 2]) {
        expect(
          await ledger.charge(id, review(`pr-${number}`, number, { pullRequestRuns: 1 })),
        ).toMatchObject({ status: "created" });
      }
      expect(await ledger.charge(id, review("pr-3", 3, { pullRequestRuns: 1 }))).toMatchObject({
        status: "over_budget",
        budget: "pull_request_runs",
        used: 1,
      });
    });
  },
);
