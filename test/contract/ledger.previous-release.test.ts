import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { Ledger } from "../../src/ledger/ledger.js";
import { previousReleaseCharge } from "../support/previous-release.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { Store } from "../../src/store/store.js";
import type { TestClock } from "../support/ledger-fixture.js";
import { fundedAccount } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * A previous release still writing (a mixed-version deploy, a rollback) after constant-size
 * entries: it reads the newest entry's few counters as the whole month and writes a
 * whole-month entry missing the rest (docs/billing.md, "Month use on constant-size entries").
 * The next charge must not take that entry as a snapshot.
 */

const pr = (number: number, repositoryId = 11, author = "bob") => ({
  kind: "pull_request" as const,
  repository: repositoryId === 11 ? "acme/api" : "acme/web",
  repositoryId,
  number,
  author,
});

/** The previous release's write path (test/support/previous-release.ts): one charge of 1 credit. */
async function previousReleaseCharges(
  store: Store,
  clock: TestClock,
  id: AccountId,
  key: string,
  reference: ReturnType<typeof pr>,
) {
  return previousReleaseCharge(store, clock.now(), id, key, reference);
}

const review = (key: string, reference: ReturnType<typeof pr>, limits = {}) => ({
  action: "review" as const,
  description: "r",
  reference,
  idempotencyKey: key,
  limits,
});

describe.each(storeFactories())(
  "entries of a previous release after constant-size ones, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function setUp() {
      const store = await create();
      const { clock, id, ledger } = await fundedAccount(store, 1000);
      // acme/api uses its 3 credits (warning at the second), then acme/web is charged: its
      // entry carries only acme/web's and carol's counters.
      for (let n = 1; n <= 3; n++) {
        const r = await ledger.charge(
          id,
          review(`c${n}`, pr(n), { repository: 3, warnAtPercent: 50 }),
        );
        expect(r.status).toBe("created");
      }
      await ledger.charge(id, review("c7", pr(7, 12, "carol")));
      const old = await previousReleaseCharges(store, clock, id, "old", pr(9, 12, "alice"));
      return { store, clock, id, ledger: ledger as Ledger, old };
    }

    it("the next charge counts the month again: a repository budget used up stays used up", async () => {
      const { store, clock, ledger, id, old } = await setUp();
      const fourth = await ledger.charge(id, review("c4", pr(4), { repository: 3 }));
      expect(fourth).toMatchObject({ status: "over_budget" });
      // Several in a row: the one after the first carried its few counters on.
      const again = await previousReleaseCharges(store, clock, id, "old-2", pr(10, 12, "alice"));
      expect(again.monthUse!.repositories.map((c) => c.key)).toEqual(["12"]);
      const fifth = await ledger.charge(id, review("c5", pr(5), { repository: 3 }));
      expect(fifth).toMatchObject({ status: "over_budget" });
      const problems = (await verifyLedger(store.ledger)).problems.map((p) => p.seq);
      expect(problems).toEqual([old.seq, again.seq]);
    });

    it("the entry after it carries the whole month counted from itself, and the charges after it read their counters from there", async () => {
      const { store, ledger, id, old } = await setUp();
      const r = await ledger.charge(id, review("c8", pr(8, 12, "carol")));
      if (!("entry" in r)) throw new Error("refused");
      expect(r.entry.monthUse).toMatchObject({
        from: old.seq + 1,
        fromSnapshot: false,
        charged: 6,
        account: 6,
        warned: ["repository:11"],
      });
      const counters = (cs: { key: string; credits: number }[]) =>
        Object.fromEntries(cs.map((c) => [c.key, c.credits]));
      expect(counters(r.entry.monthUse!.repositories)).toEqual({ "11": 3, "12": 3 });
      expect(counters(r.entry.monthUse!.authors)).toEqual({ bob: 3, carol: 2, alice: 1 });
      // Constant-size again from here on: the next one carries only what it changed.
      const next = await ledger.charge(id, review("c10", pr(10, 12, "carol"), { author: 2 }));
      expect(next).toMatchObject({ status: "over_budget", budget: "author", used: 2 });
      const after = await ledger.charge(id, review("c11", pr(11, 12, "dave")));
      if (!("entry" in after)) throw new Error("refused");
      expect(after.entry.monthUse).toMatchObject({ from: old.seq + 1, charged: 7 });
      expect(after.entry.monthUse!.repositories).toEqual([
        { key: "12", name: "acme/web", credits: 4, runs: 4 },
      ]);
      const use = await ledger.monthUse(id);
      expect(counters(use.repositories)).toEqual({ "11": 3, "12": 4 });
      expect(counters(use.authors)).toEqual({ bob: 3, carol: 2, alice: 1, dave: 1 });
      // ledger:verify reports the previous release's entry (it is not the month), only it.
      const problems = (await verifyLedger(store.ledger)).problems.map((p) => p.seq);
      expect(problems).toEqual([old.seq]);
    });

    it("a budget that warned before the previous release's entry does not warn again", async () => {
      const { ledger, id } = await setUp();
      // Past 10 % of 6 whatever is counted: it would warn, had acme/api not warned this month.
      const r = await ledger.charge(id, review("c4", pr(4), { repository: 6, warnAtPercent: 10 }));
      expect(r).toMatchObject({ status: "created", warnings: [] });
    });

    it("a whole-month entry of the previous release in a month with no constant-size entry is a snapshot, as before", async () => {
      const { store, clock, id, ledger } = await setUp();
      clock.set("2026-12-02T00:00:00Z");
      // The month's first entry written by the previous release: its use starts from zero.
      const old = await previousReleaseCharges(store, clock, id, "dec-old", pr(20));
      const r = await ledger.charge(id, review("dec", pr(21)));
      if (!("entry" in r)) throw new Error("refused");
      expect(r.entry.monthUse).toMatchObject({ from: old.seq, fromSnapshot: true, charged: 2 });
    });

    it("the store finds the newest constant-size entry of a month up to a seq, whole-month ones left out", async () => {
      const { store, clock, id, ledger, old } = await setUp();
      const newestBefore = (await store.ledger.latest(id))!.seq - 1;
      const found = await store.ledger.latestConstantSize(id, "2026-11", old.seq);
      expect(found?.seq).toBe(newestBefore);
      expect(found?.monthUse).toMatchObject({ period: "2026-11", from: 1 });
      expect(await store.ledger.latestConstantSize(id, "2026-11", 1)).toMatchObject({ seq: 1 });
      expect(await store.ledger.latestConstantSize(id, "2026-12", old.seq)).toBeNull();
      expect(await store.ledger.latestConstantSize(id, "2026-11", 0)).toBeNull();
      clock.set("2026-12-02T00:00:00Z");
      await ledger.charge(id, review("dec", pr(21)));
      expect(await store.ledger.latestConstantSize(id, "2026-11", old.seq + 1)).toMatchObject({
        seq: newestBefore,
      });
      expect(await store.ledger.latestConstantSize(id, "2026-12", old.seq + 1)).toMatchObject({
        seq: old.seq + 1,
      });
    });
  },
);
