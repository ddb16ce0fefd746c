import { afterEach, describe, expect, it } from "@jest/globals";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The cap on runs per pull request across the upgrade that added repository ids to references
 * (LedgerStore.pullRequestEntries): a charge with the id counts the pull request's charges
 * written before ids were kept (by name, without case), and one without the id counts every
 * charge of that name, with an id or not.
 */

const review = (key: string, repository: string, number: number, repositoryId?: number) => ({
  action: "review" as const,
  description: "r",
  reference: {
    kind: "pull_request" as const,
    repository,
    number,
    ...(repositoryId === undefined ? {} : { repositoryId }),
  },
  idempotencyKey: key,
  limits: { pullRequestRuns: 1 },
});

describe.each(storeFactories())(
  "runs per pull request with and without repository ids, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("counts the same pull request's charges whether or not they carried the id", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, new TestClock(), 0);
      const id = newAccountId();
      await ledger.grant(id, purchase("buy", 100));
      // Charged before ids were kept, then again with the id.
      expect(await ledger.charge(id, review("a1", "acme/api", 5))).toMatchObject({
        status: "created",
      });
      expect(await ledger.charge(id, review("a2", "Acme/API", 5, 11))).toMatchObject({
        status: "over_budget",
        budget: "pull_request_runs",
        used: 1,
      });
      // Charged with the id, then by a caller that does not know it.
      expect(await ledger.charge(id, review("w1", "acme/web", 6, 12))).toMatchObject({
        status: "created",
      });
      expect(await ledger.charge(id, review("w2", "acme/web", 6))).toMatchObject({
        status: "over_budget",
        budget: "pull_request_runs",
        used: 1,
      });
    });
  },
);
