import { afterEach, describe, expect, it } from "@jest/globals";
import type { ChargeInput } from "../../src/ledger/inputs.js";
import { pullRunsByPullRequest } from "../../src/ledger/month-use.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The runs of each pull request this month as people read them (Ledger.pullRequestRuns): under
 * the name its repository was last charged under, whatever names its charges carry, and with
 * charges that name no pull request left out.
 */

interface Pr {
  repository: string;
  repositoryId?: number;
  number: number;
}

const review = (key: string, pr: Pr): ChargeInput => ({
  action: "review",
  description: `Review of ${pr.repository}#${pr.number}`,
  reference: {
    kind: "pull_request",
    repository: pr.repository,
    ...(pr.repositoryId ? { repositoryId: pr.repositoryId } : {}),
    number: pr.number,
  },
  idempotencyKey: key,
});

const byKey = (runs: { key: string; runs: number }[]) =>
  Object.fromEntries(runs.map((c) => [c.key, c.runs]));

describe.each(storeFactories())(
  "runs per pull request on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function funded() {
      const store = await create();
      const clock = new TestClock();
      const { ledger } = makeLedger(store, clock, 0);
      const id = newAccountId();
      await ledger.grant(id, purchase("buy", 100));
      return { store, ledger, clock, id };
    }

    async function charge(
      ledger: Awaited<ReturnType<typeof funded>>["ledger"],
      id: ReturnType<typeof newAccountId>,
      input: ChargeInput,
    ) {
      const r = await ledger.charge(id, input);
      if (r.status !== "created") throw new Error(`charge ${input.idempotencyKey}: ${r.status}`);
    }

    it("names a renamed repository's pull requests after the name it was charged under last", async () => {
      const { ledger, id } = await funded();
      await charge(ledger, id, review("a", { repository: "acme/old", repositoryId: 7, number: 1 }));
      await charge(ledger, id, review("b", { repository: "acme/new", repositoryId: 7, number: 1 }));
      await charge(ledger, id, review("c", { repository: "acme/new", repositoryId: 7, number: 2 }));
      expect(byKey(await ledger.pullRequestRuns(id))).toEqual({ "acme/new#1": 2, "acme/new#2": 1 });
    });

    it("goes by the newest charge, not the name whose charges began first", async () => {
      const { ledger, id } = await funded();
      // The old name's charges began first and also came last (a re-run of an old job).
      await charge(ledger, id, review("a", { repository: "acme/old", repositoryId: 7, number: 1 }));
      await charge(ledger, id, review("b", { repository: "acme/new", repositoryId: 7, number: 2 }));
      await charge(ledger, id, review("c", { repository: "acme/old", repositoryId: 7, number: 3 }));
      expect(byKey(await ledger.pullRequestRuns(id))).toEqual({
        "acme/old#1": 1,
        "acme/old#2": 1,
        "acme/old#3": 1,
      });
    });

    it("puts a pull request counted by name alone with the repository that held the name last", async () => {
      const { ledger, id } = await funded();
      // Repository 7 was acme/x, then renamed acme/z; repository 8 took the name acme/x, then
      // was renamed acme/y. A charge from before ids were kept names acme/x only.
      await charge(ledger, id, review("a", { repository: "acme/x", repositoryId: 7, number: 1 }));
      await charge(ledger, id, review("b", { repository: "acme/x", number: 5 }));
      await charge(ledger, id, review("c", { repository: "acme/z", repositoryId: 7, number: 1 }));
      await charge(ledger, id, review("d", { repository: "acme/x", repositoryId: 8, number: 2 }));
      await charge(ledger, id, review("e", { repository: "acme/y", repositoryId: 8, number: 2 }));
      expect(byKey(await ledger.pullRequestRuns(id))).toEqual({
        "acme/z#1": 2,
        "acme/y#2": 2,
        "acme/y#5": 1,
      });
    });

    it("goes by which repository charged under a name last, not which began charging under it last", async () => {
      const { ledger, id } = await funded();
      await charge(ledger, id, review("a", { repository: "acme/x", repositoryId: 7, number: 1 }));
      await charge(ledger, id, review("b", { repository: "acme/x", repositoryId: 8, number: 2 }));
      await charge(ledger, id, review("c", { repository: "acme/y", repositoryId: 8, number: 2 }));
      // Repository 7 charged under acme/x again, last (a re-run of a job queued before a rename).
      await charge(ledger, id, review("d", { repository: "acme/x", repositoryId: 7, number: 1 }));
      await charge(ledger, id, review("e", { repository: "acme/x", number: 5 }));
      expect(byKey(await ledger.pullRequestRuns(id))).toEqual({
        "acme/x#1": 2,
        "acme/y#2": 2,
        "acme/x#5": 1,
      });
    });

    it("leaves out charges that name no pull request, and a pull request refunded to none", async () => {
      const { ledger, id } = await funded();
      await charge(ledger, id, { action: "review", description: "chat", idempotencyKey: "n" });
      await charge(ledger, id, review("a", { repository: "acme/api", repositoryId: 3, number: 1 }));
      await charge(ledger, id, review("b", { repository: "acme/api", repositoryId: 3, number: 2 }));
      await ledger.refund(id, { chargeKey: "b" });
      expect(await ledger.pullRequestRuns(id)).toEqual([
        { key: "acme/api#1", credits: 0, runs: 1 },
      ]);
    });

    it("gives the same answer whatever order the store hands the groups back in", async () => {
      const { store, ledger, id } = await funded();
      await charge(ledger, id, review("a", { repository: "acme/old", repositoryId: 7, number: 1 }));
      await charge(ledger, id, review("b", { repository: "acme/new", repositoryId: 7, number: 2 }));
      await charge(ledger, id, review("c", { repository: "acme/old", repositoryId: 7, number: 1 }));
      const window = {
        from: new Date("2026-11-01T00:00:00Z"),
        by: "pull_request" as const,
        runs: true,
      };
      const groups = await store.ledger.usageGroups(id, window);
      expect(groups.length).toBeGreaterThan(1);
      const expected = byKey(await ledger.pullRequestRuns(id));
      expect(expected).toEqual({ "acme/old#1": 2, "acme/old#2": 1 });
      // MongoDB's $group promises no order: the newest name is found by seq, not by position.
      expect(byKey(pullRunsByPullRequest([...groups].reverse()))).toEqual(expected);
      // ... and lists the pull requests in the order their first charges came.
      expect(pullRunsByPullRequest([...groups].reverse())).toEqual(pullRunsByPullRequest(groups));
    });
  },
);
