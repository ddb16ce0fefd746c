import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import { apiPr, fundedAccount } from "../support/ledger-fixture.js";
import { previousReleaseCharge } from "../support/previous-release.js";
import { storeFactories } from "../support/stores.js";

/**
 * The month counted again from its entries (entry-use.ts, countMonthUse: the newest entry
 * predates month use, say after a rollback to such a release) takes the warnings of a
 * whole-month entry as the month's, as ledger:verify does, when no constant-size entry of its
 * month came before it: which budgets warned depends on the caps at the time, which only the
 * entry knows. A constant-size entry of last month, stamped in the minute before this one,
 * changes nothing to that.
 */

const pr = apiPr;

/** A purchase of 1 credit as a release before month use wrote it: no month use. */
async function withoutMonthUse(store: Store, id: AccountId, at: string) {
  const prev = (await store.ledger.latest(id))!;
  const { id: _was, ...rest } = prev;
  void _was;
  const appended = await store.ledger.append({
    ...rest,
    seq: prev.seq + 1,
    type: "purchase",
    idempotencyKey: `old-purchase-${prev.seq + 1}`,
    reference: null,
    refundOf: null,
    refundRequest: null,
    amount: 1,
    deltas: { free: 0, plan: 0, bonus: 0, purchased: 1 },
    bucketsAfter: { ...prev.bucketsAfter, purchased: prev.bucketsAfter.purchased + 1 },
    balanceAfter: prev.balanceAfter + 1,
    lotDeltas: [],
    monthUse: null,
    spent: undefined,
    createdAt: new Date(at),
  });
  expect(appended.ok).toBe(true);
}

describe.each(storeFactories())(
  "the month counted again trusts its whole-month entries, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("a warning the newest whole-month entry does not hold warns with the next charge", async () => {
      const store = await create();
      const { clock, id, ledger } = await fundedAccount(store, 100);
      clock.set("2026-11-30T23:59:30Z");
      expect(
        await ledger.charge(id, {
          action: "review",
          description: "r",
          reference: pr(1),
          idempotencyKey: "nov",
        }),
      ).toMatchObject({ status: "created" });
      // December by a previous release: the first entry warned the account's budget, the
      // second holds no warning (its month, as it says).
      clock.set("2026-12-01T00:00:10Z");
      await previousReleaseCharge(store, clock.now(), id, "d1", pr(2), ["account"]);
      clock.set("2026-12-01T00:00:20Z");
      await previousReleaseCharge(store, clock.now(), id, "d2", pr(3), []);
      await withoutMonthUse(store, id, "2026-12-01T00:00:30Z");
      clock.set("2026-12-01T00:01:00Z");
      const r = await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: pr(4),
        idempotencyKey: "d3",
        limits: { account: 10, warnAtPercent: 10 },
      });
      expect(r).toMatchObject({
        status: "created",
        warnings: [{ id: "account", budget: "account", cap: 10, used: 3 }],
      });
    });
  },
);
