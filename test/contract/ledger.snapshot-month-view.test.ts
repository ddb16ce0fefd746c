import { afterEach, describe, expect, it } from "@jest/globals";
import { fundedAccount } from "../support/ledger-fixture.js";
import { previousReleaseCharge } from "../support/previous-release.js";
import { storeFactories } from "../support/stores.js";

/**
 * A month whose first entry is a previous release's whole-month entry (its snapshot) after a
 * month of constant-size entries: the month's use for people (Ledger.monthUse, GET /budgets)
 * is the snapshot and what came after it, nothing of the entries before it.
 */

const pr = (number: number, repositoryId: number, author: string) => ({
  kind: "pull_request" as const,
  repository: repositoryId === 11 ? "acme/api" : "acme/web",
  repositoryId,
  number,
  author,
});

const review = (key: string, reference: ReturnType<typeof pr>) => ({
  action: "review" as const,
  description: "r",
  reference,
  idempotencyKey: key,
});

describe.each(storeFactories())(
  "the month's use on a snapshot after last month's entries, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("holds the snapshot and the charges after it, not the entry before the snapshot", async () => {
      const store = await create();
      const { clock, id, ledger } = await fundedAccount(store, 100);
      // November: acme/web charged for carol last, so the entry before December's carries them.
      expect(await ledger.charge(id, review("n1", pr(1, 11, "bob")))).toMatchObject({
        status: "created",
      });
      expect(await ledger.charge(id, review("n2", pr(2, 12, "carol")))).toMatchObject({
        status: "created",
      });
      clock.set("2026-12-02T10:00:00Z");
      const old = await previousReleaseCharge(store, clock.now(), id, "d1", pr(3, 11, "bob"));
      const r = await ledger.charge(id, review("d2", pr(4, 11, "alice")));
      expect(r).toMatchObject({ status: "created", entry: { monthUse: { from: old.seq } } });
      const use = await ledger.monthUse(id);
      expect(use).toMatchObject({ period: "2026-12", charged: 2, account: 2 });
      expect(use.repositories).toEqual([{ key: "11", name: "acme/api", credits: 2, runs: 2 }]);
      expect(use.authors).toEqual([
        { key: "bob", credits: 1, runs: 1 },
        { key: "alice", credits: 1, runs: 1 },
      ]);
    });
  },
);
