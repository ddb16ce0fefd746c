import { afterEach, describe, expect, it } from "@jest/globals";
import { DEFAULT_SETTINGS, toAccountId, type AccountId } from "../../src/accounts/types.js";
import type { NewRun, PullRequestRef, ReviewRun } from "../../src/reviews/types.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const PR: PullRequestRef = { repositoryId: 501, repository: "acme/widgets", number: 7 };
const OTHER_PR: PullRequestRef = { repositoryId: 501, repository: "acme/widgets", number: 8 };
/** Same number, other repository: must not be mixed up with PR. */
const OTHER_REPO_PR: PullRequestRef = { repositoryId: 502, repository: "acme/gadgets", number: 7 };
const SHA = "a".repeat(40);

/** A run as accept-review would claim it; the key follows the documented format. */
function newRun(accountId: AccountId, overrides: Partial<NewRun> = {}): NewRun {
  const pr = overrides.pr ?? PR;
  const headSha = overrides.headSha ?? SHA;
  const attempt = overrides.attempt ?? 0;
  return {
    accountId,
    runKey: `${pr.repositoryId}:${pr.number}:${headSha}:${attempt}`,
    headSha,
    attempt,
    installationId: 42,
    status: "pending",
    chargeKey: null,
    incremental: false,
    reason: null,
    ...overrides,
    // Runs stored before these fields existed look like this (sequence 0: order by creation).
    sequence: overrides.sequence ?? 0,
    commentId: overrides.commentId ?? null,
    // A copy: a test that mutates its input must not change the shared refs above.
    pr: { ...pr },
  };
}

/**
 * A few milliseconds, so that a store that stamps times with the wall clock (millisecond
 * precision) gives the next write a later updatedAt. Only where order by updatedAt matters.
 */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 3));

const keys = (runs: readonly ReviewRun[]) => runs.map((r) => r.runKey);

describe.each(storeFactories())("review run store contract: $name", ({ create, cleanup }) => {
  // Closes the stores each test opened, and drops their test databases.
  afterEach(cleanup);
  describe("claim", () => {
    it("creates once; a second claim of the key returns the first run unchanged", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const input = newRun(id, { installationId: 1, incremental: true, chargeKey: "charge-1" });

      const first = await runs.claim(input);
      expect(first.created).toBe(true);
      expect(first.run).toMatchObject({ ...input, pr: { ...PR } });
      expect(first.run.createdAt).toBeInstanceOf(Date);
      expect(first.run.updatedAt.getTime()).toBe(first.run.createdAt.getTime());

      const second = await runs.claim({
        ...input,
        installationId: 2,
        status: "queued",
        incremental: false,
        chargeKey: "charge-2",
        reason: "different",
        pr: { ...PR, repository: "acme/renamed" },
      });
      expect(second.created).toBe(false);
      expect(second.run).toEqual(first.run);
      expect(await runs.get(id, input.runKey)).toEqual(first.run);
    });

    it("keeps the author and an admin's override; without them, unknown and none", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const withThem = newRun(id, { runKey: "k-author", author: "octo-dev", overBudget: true });
      expect((await runs.claim(withThem)).run).toMatchObject({
        author: "octo-dev",
        overBudget: true,
      });
      expect(await runs.get(id, "k-author")).toMatchObject({
        author: "octo-dev",
        overBudget: true,
      });
      await runs.claim(newRun(id, { runKey: "k-plain" }));
      expect(await runs.get(id, "k-plain")).toMatchObject({ author: null, overBudget: false });
    });

    it("lets exactly one of 25 concurrent claims of one key create it", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => runs.claim(newRun(id, { installationId: 100 + i }))),
      );
      const created = results.filter((r) => r.created);
      expect(created).toHaveLength(1);
      const winner = created[0]!.run;
      // Everyone sees the one stored run: the winner's input, not their own.
      for (const r of results) expect(r.run).toEqual(winner);
      expect(await runs.get(id, winner.runKey)).toEqual(winner);
      expect(await runs.listForPullRequest(id, PR.repositoryId, PR.number, 100)).toHaveLength(1);
    });

    it("keys runs per account: the same runKey in two accounts is two runs", async () => {
      const { runs } = await create();
      const a = newAccountId();
      const b = newAccountId();
      const inA = await runs.claim(newRun(a, { installationId: 1 }));
      const inB = await runs.claim(newRun(b, { installationId: 2 }));
      expect(inA.created).toBe(true);
      expect(inB.created).toBe(true);
      expect(inA.run.runKey).toBe(inB.run.runKey);
      expect(await runs.get(a, inA.run.runKey)).toMatchObject({ accountId: a, installationId: 1 });
      expect(await runs.get(b, inB.run.runKey)).toMatchObject({ accountId: b, installationId: 2 });
    });

    it("get returns null for an unknown key, and for another account's run", async () => {
      const { runs } = await create();
      const a = newAccountId();
      const { run } = await runs.claim(newRun(a));
      expect(await runs.get(a, "501:7:nope:0")).toBeNull();
      expect(await runs.get(newAccountId(), run.runKey)).toBeNull();
    });
  });

  describe("transition", () => {
    it("moves a run out of a matching status, setting the fields and updatedAt", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const { run } = await runs.claim(newRun(id));
      await tick();

      const queued = await runs.transition(id, run.runKey, ["pending"], "queued", {
        chargeKey: "charge-1",
      });
      expect(queued).not.toBeNull();
      expect(queued!.status).toBe("queued");
      expect(queued!.chargeKey).toBe("charge-1");
      expect(queued!.reason).toBeNull();
      expect(queued!.createdAt.getTime()).toBe(run.createdAt.getTime());
      expect(queued!.updatedAt.getTime()).toBeGreaterThan(run.updatedAt.getTime());
      expect(await runs.get(id, run.runKey)).toEqual(queued);
      await tick();

      // One of several `from` statuses; fields not given keep their stored values.
      const failed = await runs.transition(id, run.runKey, ["pending", "queued"], "failed", {
        reason: "engine_error",
      });
      expect(failed).toMatchObject({
        status: "failed",
        chargeKey: "charge-1",
        reason: "engine_error",
      });
      expect(failed!.updatedAt.getTime()).toBeGreaterThan(queued!.updatedAt.getTime());
      expect(await runs.get(id, run.runKey)).toEqual(failed);
    });

    it("records that a post was attempted and how many inline comments it left; a new run has none, and no check run", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const { run } = await runs.claim(newRun(id, { status: "queued" }));
      expect([run.postAttemptedAt, run.checkRunId]).toEqual([null, null]);
      const at = new Date("2026-12-01T10:00:00.000Z");
      const marked = await runs.transition(id, run.runKey, ["queued"], "queued", {
        postAttemptedAt: at,
      });
      expect(marked!.postAttemptedAt).toEqual(at);
      expect((await runs.get(id, run.runKey))!.postAttemptedAt).toEqual(at);
      expect(run.inlineComments).toBeNull();
      const posted = await runs.transition(id, run.runKey, ["queued"], "posted", {
        inlineComments: 0,
      });
      expect(posted).toMatchObject({ status: "posted", inlineComments: 0, postAttemptedAt: at });
    });

    it("returns null and changes nothing when the run is not in a `from` status", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const { run } = await runs.claim(newRun(id, { status: "queued", chargeKey: "charge-1" }));
      await tick();

      expect(
        await runs.transition(id, run.runKey, ["pending"], "failed", {
          chargeKey: "charge-2",
          reason: "nope",
        }),
      ).toBeNull();
      expect(await runs.get(id, run.runKey)).toEqual(run);

      // Nor for an unknown run, or the run's key in another account.
      expect(await runs.transition(id, "501:7:nope:0", ["queued"], "posted")).toBeNull();
      expect(await runs.transition(newAccountId(), run.runKey, ["queued"], "posted")).toBeNull();
      expect(await runs.get(id, run.runKey)).toEqual(run);
    });

    it("lets exactly one of 10 concurrent queued -> posted transitions through", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const { run } = await runs.claim(newRun(id, { status: "queued" }));
      const results = await Promise.all(
        Array.from({ length: 10 }, () => runs.transition(id, run.runKey, ["queued"], "posted")),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect((await runs.get(id, run.runKey))?.status).toBe("posted");
    });

    it("with `where`, moves only a run carrying that charge key (null: none)", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const parked = (await runs.claim(newRun(id, { status: "paused", attempt: 0 }))).run;
      const refunded = (
        await runs.claim(newRun(id, { status: "paused", attempt: 1, chargeKey: "charge-1" }))
      ).run;

      // A run paused after a refund of its own charge is not a parked run that was never paid.
      expect(
        await runs.transition(id, refunded.runKey, ["paused"], "pending", {}, { chargeKey: null }),
      ).toBeNull();
      expect(await runs.get(id, refunded.runKey)).toEqual(refunded);
      expect(
        await runs.transition(id, parked.runKey, ["paused"], "queued", {}, { chargeKey: "c-9" }),
      ).toBeNull();
      expect(await runs.get(id, parked.runKey)).toEqual(parked);

      const queued = await runs.transition(
        id,
        parked.runKey,
        ["paused"],
        "queued",
        { chargeKey: "charge-2", reason: null },
        { chargeKey: null },
      );
      expect(queued).toMatchObject({ status: "queued", chargeKey: "charge-2", reason: null });
      expect(
        await runs.transition(
          id,
          refunded.runKey,
          ["paused"],
          "superseded",
          {},
          {
            chargeKey: "charge-1",
          },
        ),
      ).toMatchObject({ status: "superseded", chargeKey: "charge-1" });
      // Still scoped to the account and the `from` statuses.
      expect(
        await runs.transition(
          newAccountId(),
          parked.runKey,
          ["queued"],
          "posted",
          {},
          {
            chargeKey: "charge-2",
          },
        ),
      ).toBeNull();
      expect(
        await runs.transition(
          id,
          parked.runKey,
          ["paused"],
          "posted",
          {},
          {
            chargeKey: "charge-2",
          },
        ),
      ).toBeNull();
    });

    it("lets exactly one of 10 concurrent conditional paused -> pending transitions through", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const { run } = await runs.claim(newRun(id, { status: "paused" }));
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          runs.transition(id, run.runKey, ["paused"], "pending", {}, { chargeKey: null }),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect((await runs.get(id, run.runKey))?.status).toBe("pending");
    });
  });

  describe("setCheckRun", () => {
    it("keeps the check run's id on the run whatever its status, in its account only", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const other = newAccountId();
      const { run } = await runs.claim(newRun(id));
      const { run: theirs } = await runs.claim(newRun(other));
      await runs.transition(id, run.runKey, ["pending"], "failed", { reason: "x" });

      await runs.setCheckRun(id, run.runKey, 7_001);
      expect(await runs.get(id, run.runKey)).toMatchObject({ checkRunId: 7_001, status: "failed" });
      expect((await runs.get(other, theirs.runKey))!.checkRunId).toBeNull();
      // A run that is not there is left alone: nothing is created.
      await runs.setCheckRun(id, "501:7:missing:0", 7_002);
      expect(await runs.get(id, "501:7:missing:0")).toBeNull();
    });
  });

  describe("latestForPullRequest and listForPullRequest", () => {
    it("latest is the most recently claimed run of the pull request, even in a tight loop", async () => {
      const { runs } = await create();
      const id = newAccountId();
      expect(await runs.latestForPullRequest(id, PR.repositoryId, PR.number)).toBeNull();

      const first = await runs.claim(newRun(id, { attempt: 0 }));
      expect((await runs.latestForPullRequest(id, PR.repositoryId, PR.number))?.runKey).toBe(
        first.run.runKey,
      );

      let last = first.run;
      for (let attempt = 1; attempt <= 8; attempt++) {
        last = (await runs.claim(newRun(id, { attempt }))).run;
        const latest = await runs.latestForPullRequest(id, PR.repositoryId, PR.number);
        expect(latest?.runKey).toBe(last.runKey);
      }

      // Not moved by: an update of an older run, a repeated claim of an older key, or runs of
      // other pull requests and other accounts claimed afterwards.
      await tick();
      await runs.transition(id, first.run.runKey, ["pending"], "queued");
      expect((await runs.claim(newRun(id, { attempt: 0 }))).created).toBe(false);
      await runs.claim(newRun(id, { pr: OTHER_PR }));
      await runs.claim(newRun(id, { pr: OTHER_REPO_PR }));
      await runs.claim(newRun(newAccountId(), { attempt: 99 }));
      expect(await runs.latestForPullRequest(id, PR.repositoryId, PR.number)).toEqual(last);
    });

    it("latest is null for a pull request without runs", async () => {
      const { runs } = await create();
      const id = newAccountId();
      await runs.claim(newRun(id));
      expect(await runs.latestForPullRequest(id, PR.repositoryId, 999)).toBeNull();
      expect(await runs.latestForPullRequest(id, 999, PR.number)).toBeNull();
      expect(
        await runs.latestForPullRequest(newAccountId(), PR.repositoryId, PR.number),
      ).toBeNull();
    });

    it("lists the pull request's runs newest first, honouring limit and scope", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const other = newAccountId();
      const mine: string[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        mine.push((await runs.claim(newRun(id, { attempt }))).run.runKey);
        // Interleaved noise that must not show up.
        await runs.claim(newRun(id, { pr: OTHER_PR, attempt }));
        await runs.claim(newRun(id, { pr: OTHER_REPO_PR, attempt }));
        await runs.claim(newRun(other, { attempt: attempt + 10 }));
      }
      const newestFirst = [...mine].reverse();

      const all = await runs.listForPullRequest(id, PR.repositoryId, PR.number, 100);
      expect(keys(all)).toEqual(newestFirst);
      for (const r of all) expect(r).toMatchObject({ accountId: id, pr: PR });
      expect(keys(await runs.listForPullRequest(id, PR.repositoryId, PR.number, 2))).toEqual(
        newestFirst.slice(0, 2),
      );
      expect(await runs.listForPullRequest(id, PR.repositoryId, PR.number, 0)).toEqual([]);
      expect(await runs.listForPullRequest(id, PR.repositoryId, 999, 10)).toEqual([]);
      expect(keys(await runs.listForPullRequest(other, PR.repositoryId, PR.number, 100))).toEqual(
        [14, 13, 12, 11, 10].map((a) => `${PR.repositoryId}:${PR.number}:${SHA}:${a}`),
      );
    });
  });

  describe("order by sequence", () => {
    it("newest is the highest sequence, even when its run was claimed first", async () => {
      const { runs } = await create();
      const id = newAccountId();
      // Two hosts: the one that drew sequence 2 claims before the one that drew 1.
      const second = (await runs.claim(newRun(id, { attempt: 1, sequence: 2 }))).run;
      await tick();
      const first = (await runs.claim(newRun(id, { attempt: 0, sequence: 1 }))).run;
      expect(first.createdAt.getTime()).toBeGreaterThan(second.createdAt.getTime());
      expect(second.sequence).toBe(2);

      expect((await runs.latestForPullRequest(id, PR.repositoryId, PR.number))?.runKey).toBe(
        second.runKey,
      );
      expect(keys(await runs.listForPullRequest(id, PR.repositoryId, PR.number, 10))).toEqual([
        second.runKey,
        first.runKey,
      ]);

      // Runs stored before the sequence existed (0) come after every counted run, newest
      // created first among themselves; a later sequence is newest again.
      await tick();
      const legacyOld = (await runs.claim(newRun(id, { attempt: 2, sequence: 0 }))).run;
      await tick();
      const legacyNew = (await runs.claim(newRun(id, { attempt: 3, sequence: 0 }))).run;
      const third = (await runs.claim(newRun(id, { attempt: 4, sequence: 3 }))).run;
      expect(keys(await runs.listForPullRequest(id, PR.repositoryId, PR.number, 10))).toEqual([
        third.runKey,
        second.runKey,
        first.runKey,
        legacyNew.runKey,
        legacyOld.runKey,
      ]);
      expect(keys(await runs.listForPullRequest(id, PR.repositoryId, PR.number, 2))).toEqual([
        third.runKey,
        second.runKey,
      ]);
      expect(await runs.latestForPullRequest(id, PR.repositoryId, PR.number)).toEqual(third);
    });
  });

  describe("postedWithCharge", () => {
    it("is true only for a posted run carrying that charge in that account", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const other = newAccountId();
      expect(await runs.postedWithCharge(id, "charge-1")).toBe(false);

      const run = newRun(id, { status: "queued", chargeKey: "charge-1" });
      await runs.claim(run);
      // Runs with the charge in every status but posted, and a posted run of another charge.
      await runs.claim(newRun(id, { attempt: 1, status: "pending", chargeKey: "charge-1" }));
      await runs.claim(newRun(id, { attempt: 2, status: "failed", chargeKey: "charge-1" }));
      await runs.claim(newRun(id, { attempt: 3, status: "superseded", chargeKey: "charge-1" }));
      await runs.claim(newRun(id, { attempt: 4, status: "skipped", chargeKey: "charge-1" }));
      await runs.claim(newRun(id, { attempt: 5, status: "paused", chargeKey: "charge-1" }));
      await runs.claim(newRun(id, { attempt: 6, status: "posted", chargeKey: "charge-2" }));
      await runs.claim(newRun(id, { attempt: 7, status: "posted", chargeKey: null }));
      // The same charge key posted in another account.
      await runs.claim(newRun(other, { status: "posted", chargeKey: "charge-1" }));
      expect(await runs.postedWithCharge(id, "charge-1")).toBe(false);

      await runs.transition(id, run.runKey, ["queued"], "posted");
      expect(await runs.postedWithCharge(id, "charge-1")).toBe(true);
      expect(await runs.postedWithCharge(id, "charge-3")).toBe(false);
      expect(await runs.postedWithCharge(newAccountId(), "charge-1")).toBe(false);
    });

    it("sees a charge key set by a transition", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const { run } = await runs.claim(newRun(id));
      await runs.transition(id, run.runKey, ["pending"], "queued", { chargeKey: "charge-9" });
      expect(await runs.postedWithCharge(id, "charge-9")).toBe(false);
      await runs.transition(id, run.runKey, ["queued"], "posted");
      expect(await runs.postedWithCharge(id, "charge-9")).toBe(true);
    });
  });

  describe("listStale", () => {
    const future = () => new Date(Date.now() + 60_000);

    it("lists only pending and queued runs, oldest update first, across accounts", async () => {
      const { runs } = await create();
      const a = newAccountId();
      const b = newAccountId();
      const claimed: Record<string, string> = {};
      const claim = async (name: string, run: NewRun) => {
        claimed[name] = (await runs.claim(run)).run.runKey;
        await tick();
      };
      await claim("first", newRun(a, { attempt: 0 }));
      await claim("second", newRun(b, { attempt: 1, status: "queued" }));
      await claim("third", newRun(a, { attempt: 2 }));
      await claim("posted", newRun(a, { attempt: 3, status: "posted" }));
      await claim("failed", newRun(b, { attempt: 4, status: "failed" }));
      await claim("superseded", newRun(a, { attempt: 5, status: "superseded" }));
      await claim("paused", newRun(a, { attempt: 6, status: "paused" }));
      await claim("skipped", newRun(a, { attempt: 7, status: "skipped" }));
      await claim("ended", newRun(a, { attempt: 8 }));
      // "first" is updated last, so it is now the newest update although the oldest run;
      // "ended" leaves the unfinished statuses.
      await runs.transition(a, claimed.first!, ["pending"], "queued");
      await runs.transition(a, claimed.ended!, ["pending"], "failed", { reason: "x" });

      const stale = await runs.listStale(future(), 100);
      expect(keys(stale)).toEqual([claimed.second, claimed.third, claimed.first]);
      expect(stale.map((r) => r.accountId)).toEqual([b, a, a]);
      expect(stale.map((r) => r.status)).toEqual(["queued", "pending", "queued"]);
      expect(keys(await runs.listStale(future(), 2))).toEqual([claimed.second, claimed.third]);
      // One account's only (an operator's sweep of that account), in the same order.
      expect(keys(await runs.listStale(future(), 100, undefined, a))).toEqual([
        claimed.third,
        claimed.first,
      ]);
      expect(keys(await runs.listStale(future(), 100, undefined, b))).toEqual([claimed.second]);
      expect(await runs.listStale(future(), 0)).toEqual([]);
    });

    it("lists only runs updated strictly before `before`", async () => {
      const { runs } = await create();
      const id = newAccountId();
      const older = (await runs.claim(newRun(id, { attempt: 0 }))).run;
      await tick();
      const newer = (await runs.claim(newRun(id, { attempt: 1 }))).run;
      expect(newer.updatedAt.getTime()).toBeGreaterThan(older.updatedAt.getTime());

      expect(await runs.listStale(new Date(0), 10)).toEqual([]);
      expect(keys(await runs.listStale(newer.updatedAt, 10))).toEqual([older.runKey]);
      expect(await runs.listStale(older.updatedAt, 10)).toEqual([]);
      expect(keys(await runs.listStale(future(), 10))).toEqual([older.runKey, newer.runKey]);
    });

    it("pages with `after` through every stale run exactly once, whatever the page size", async () => {
      const { runs } = await create();
      const accounts = [newAccountId(), newAccountId(), newAccountId()];
      // Claimed at once: a store with a millisecond clock gives many the same updatedAt.
      await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          runs.claim(
            newRun(accounts[i % 3]!, { attempt: i, status: i % 2 ? "queued" : "pending" }),
          ),
        ),
      );
      const all = await runs.listStale(future(), 100);
      expect(all).toHaveLength(9);
      const id = (r: ReviewRun) => `${r.accountId}|${r.runKey}`;

      for (const pageSize of [1, 2, 4]) {
        const seen: ReviewRun[] = [];
        let after: ReviewRun | undefined;
        for (let page = 0; page <= all.length; page++) {
          const got = await runs.listStale(future(), pageSize, after);
          seen.push(...got);
          if (got.length < pageSize) break;
          after = got.at(-1);
        }
        expect(seen.map(id)).toEqual(all.map(id));
      }
    });

    it("`after` orders runs of one updatedAt by accountId, then runKey", async () => {
      const { runs } = await create();
      const a = newAccountId();
      const claimed: ReviewRun[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        claimed.push((await runs.claim(newRun(a, { attempt }))).run);
        await tick();
      }
      const [before, r, later] = claimed as [ReviewRun, ReviewRun, ReviewRun];
      const at = (accountId: AccountId, runKey: string) => ({
        updatedAt: r.updatedAt,
        accountId,
        runKey,
      });

      // Where a run sharing r's updatedAt would stand: r comes after a smaller key or account.
      expect(keys(await runs.listStale(future(), 10, at(a, r.runKey)))).toEqual([later.runKey]);
      expect(keys(await runs.listStale(future(), 10, at(a, "")))).toEqual([r.runKey, later.runKey]);
      expect(keys(await runs.listStale(future(), 10, at(toAccountId(a - 1), "~~~~")))).toEqual([
        r.runKey,
        later.runKey,
      ]);
      expect(keys(await runs.listStale(future(), 10, at(toAccountId(a + 1), "")))).toEqual([
        later.runKey,
      ]);
      // And `after` an earlier run's place, everything from that run on.
      expect(
        keys(
          await runs.listStale(future(), 10, {
            updatedAt: before.updatedAt,
            accountId: a,
            runKey: "",
          }),
        ),
      ).toEqual(keys(claimed));
    });
  });

  describe("listPaused", () => {
    /** Newest update first, then runKey descending: the order the contract promises. */
    const newestFirst = (runs: readonly ReviewRun[]) =>
      [...runs].sort(
        (x, y) =>
          y.updatedAt.getTime() - x.updatedAt.getTime() ||
          (x.runKey < y.runKey ? 1 : x.runKey > y.runKey ? -1 : 0),
      );

    it("lists only the account's paused runs, newest update first, at most `limit`", async () => {
      const { runs } = await create();
      const a = newAccountId();
      const b = newAccountId();
      const claimed = await Promise.all(
        Array.from({ length: 6 }, (_, attempt) => runs.claim(newRun(a, { attempt }))),
      );
      const [k0, k1, k2, k3, k4, k5] = claimed.map((c) => c.run.runKey) as string[];
      // Paused in another order than claimed: the list follows the pause, not the claim.
      const paused: ReviewRun[] = [];
      for (const [runKey, reason] of [
        [k3, "over_budget_account"],
        [k0, "insufficient_credits"],
        [k4, "over_budget_repository"],
      ] as const) {
        paused.push((await runs.transition(a, runKey!, ["pending"], "paused", { reason }))!);
      }
      // Other statuses, of the same account, never appear; nor another account's paused run.
      await runs.transition(a, k1!, ["pending"], "failed", { reason: "engine_error" });
      await runs.transition(a, k2!, ["pending"], "skipped", { reason: "account_suspended" });
      await runs.transition(a, k5!, ["pending"], "queued");
      const otherRun = (await runs.claim(newRun(b, { attempt: 9 }))).run;
      await runs.transition(b, otherRun.runKey, ["pending"], "paused", {
        reason: "insufficient_credits",
      });

      const listed = await runs.listPaused(a, new Date(0), 10);
      expect(keys(listed)).toEqual(keys(newestFirst(paused)));
      expect(listed.map((r) => [r.accountId, r.status])).toEqual(paused.map(() => [a, "paused"]));
      expect(listed.map((r) => r.reason).sort()).toEqual([
        "insufficient_credits",
        "over_budget_account",
        "over_budget_repository",
      ]);
      expect(keys(await runs.listPaused(a, new Date(0), 2))).toEqual(
        keys(newestFirst(paused).slice(0, 2)),
      );
      expect(await runs.listPaused(a, new Date(0), 0)).toEqual([]);
      expect(keys(await runs.listPaused(b, new Date(0), 10))).toEqual([otherRun.runKey]);
      expect(await runs.listPaused(newAccountId(), new Date(0), 10)).toEqual([]);
    });

    it("lists runs updated at or after `since`, never those updated before", async () => {
      const { runs } = await create();
      const a = newAccountId();
      const paused: ReviewRun[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const { run } = await runs.claim(newRun(a, { attempt }));
        paused.push((await runs.transition(a, run.runKey, ["pending"], "paused"))!);
      }
      // Whatever the clock's resolution: `since` at one run's update keeps that run and every
      // run updated with or after it, and drops every run updated strictly before.
      for (const since of paused.map((r) => r.updatedAt)) {
        const expected = newestFirst(paused.filter((r) => r.updatedAt >= since));
        expect(keys(await runs.listPaused(a, since, 10))).toEqual(keys(expected));
      }
      const last = newestFirst(paused)[0]!;
      expect(await runs.listPaused(a, new Date(last.updatedAt.getTime() + 1), 10)).toEqual([]);
    });

    it("ties on updatedAt break by runKey, the same order on every call", async () => {
      const { runs } = await create();
      const a = newAccountId();
      // Claimed paused at once: a store with a millisecond clock gives several one updatedAt.
      const claimed = await Promise.all(
        Array.from({ length: 8 }, (_, attempt) =>
          runs.claim(newRun(a, { attempt, status: "paused" })),
        ),
      );
      const expected = keys(newestFirst(claimed.map((c) => c.run)));
      expect(keys(await runs.listPaused(a, new Date(0), 10))).toEqual(expected);
      expect(keys(await runs.listPaused(a, new Date(0), 3))).toEqual(expected.slice(0, 3));
    });
  });

  describe("refund due", () => {
    it("pages with `after` through every run whose refund is due exactly once, whatever the page size", async () => {
      const { runs } = await create();
      const accounts = [newAccountId(), newAccountId(), newAccountId()];
      const claimed = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          runs.claim(
            newRun(accounts[i % 3]!, { attempt: i, status: "queued", chargeKey: `c-${i}` }),
          ),
        ),
      );
      // Ended at once: a store with a millisecond clock gives many the same updatedAt.
      await Promise.all(
        claimed.map(({ run }) =>
          runs.transition(run.accountId, run.runKey, ["queued"], "failed", { refundDue: true }),
        ),
      );
      const all = await runs.listRefundDue(100);
      expect(all).toHaveLength(9);
      const id = (r: ReviewRun) => `${r.accountId}|${r.runKey}`;
      const order = (x: ReviewRun, y: ReviewRun) =>
        x.updatedAt.getTime() - y.updatedAt.getTime() ||
        x.accountId - y.accountId ||
        (x.runKey < y.runKey ? -1 : x.runKey > y.runKey ? 1 : 0);
      expect(all.map(id)).toEqual([...all].sort(order).map(id));

      const paged = async (pageSize: number, accountId?: AccountId) => {
        const seen: ReviewRun[] = [];
        let after: ReviewRun | undefined;
        for (let page = 0; page <= all.length; page++) {
          const got = await runs.listRefundDue(pageSize, accountId, after);
          seen.push(...got);
          if (got.length < pageSize) break;
          after = got.at(-1);
        }
        return seen.map(id);
      };
      for (const pageSize of [1, 2, 4]) {
        expect(await paged(pageSize)).toEqual(all.map(id));
        expect(await paged(pageSize, accounts[1])).toEqual(
          all.filter((r) => r.accountId === accounts[1]).map(id),
        );
      }
      // A run settled behind the page's end changes nothing ahead of it.
      const [first, second, third] = all as [ReviewRun, ReviewRun, ReviewRun];
      await runs.settleRefund(first.accountId, first.runKey);
      expect((await runs.listRefundDue(1, undefined, second)).map(id)).toEqual([id(third)]);
    });

    it("lists ended runs whose refund is due, oldest end first, across accounts, until settled", async () => {
      const { runs } = await create();
      const a = newAccountId();
      const b = newAccountId();
      const claim = async (accountId: AccountId, attempt: number) =>
        (
          await runs.claim(
            newRun(accountId, { attempt, status: "queued", chargeKey: `c-${attempt}` }),
          )
        ).run;
      const r1 = await claim(a, 1);
      const r2 = await claim(b, 2);
      const r3 = await claim(a, 3);
      const r4 = await claim(a, 4);
      const r5 = await claim(a, 5);
      expect(r1.refundDue).toBe(false);
      expect(await runs.listRefundDue(10)).toEqual([]);

      await tick();
      const failed = await runs.transition(b, r2.runKey, ["queued"], "failed", {
        reason: "engine_error",
        refundDue: true,
      });
      expect(failed).toMatchObject({ status: "failed", refundDue: true });
      await tick();
      await runs.transition(a, r1.runKey, ["queued"], "superseded", { refundDue: true });
      await tick();
      await runs.transition(a, r3.runKey, ["queued"], "skipped", { refundDue: true });
      // Not ended, or ended with nothing due: not listed.
      await runs.transition(a, r4.runKey, ["queued"], "queued", { refundDue: true });
      await runs.transition(a, r5.runKey, ["queued"], "posted");

      const due = await runs.listRefundDue(10);
      expect(due.map((r) => [r.accountId, r.runKey, r.status, r.refundDue])).toEqual([
        [b, r2.runKey, "failed", true],
        [a, r1.runKey, "superseded", true],
        [a, r3.runKey, "skipped", true],
      ]);
      expect(due[0]).toEqual(await runs.get(b, r2.runKey));
      expect(keys(await runs.listRefundDue(2))).toEqual([r2.runKey, r1.runKey]);
      expect(keys(await runs.listRefundDue(10, a))).toEqual([r1.runKey, r3.runKey]);
      expect(keys(await runs.listRefundDue(10, b))).toEqual([r2.runKey]);
      expect(await runs.listRefundDue(0)).toEqual([]);

      // Settling clears the flag only: the run stays as it ended.
      const ended = (await runs.get(a, r1.runKey))!;
      await runs.settleRefund(a, r1.runKey);
      expect(await runs.get(a, r1.runKey)).toMatchObject({
        status: "superseded",
        chargeKey: "c-1",
        reason: null,
        refundDue: false,
        createdAt: ended.createdAt,
      });
      expect(keys(await runs.listRefundDue(10))).toEqual([r2.runKey, r3.runKey]);

      // Scoped to the account: another account's key, or an unknown run, changes nothing.
      await runs.settleRefund(a, r2.runKey);
      await runs.settleRefund(a, "501:7:nope:0");
      expect(keys(await runs.listRefundDue(10))).toEqual([r2.runKey, r3.runKey]);
      // A later transition that does not name the flag leaves it.
      await runs.transition(b, r2.runKey, ["failed"], "failed", { reason: "again" });
      expect((await runs.get(b, r2.runKey))?.refundDue).toBe(true);

      await runs.settleRefund(b, r2.runKey);
      await runs.settleRefund(a, r3.runKey);
      expect(await runs.listRefundDue(10)).toEqual([]);
    });
  });

  it("returns copies: changing a returned run changes nothing stored", async () => {
    const { runs } = await create();
    const id = newAccountId();
    const input = newRun(id);
    const claimed = await runs.claim(input);
    const snapshot = structuredClone(claimed.run);

    const mutate = (r: ReviewRun | null | undefined) => {
      if (!r) throw new Error("expected a run");
      r.status = "posted";
      r.chargeKey = "stolen";
      r.pr.number = 999;
      r.pr.repositoryId = 999;
      r.createdAt.setTime(0);
      r.updatedAt.setTime(0);
    };
    mutate(claimed.run);
    // The input given to claim is not kept either.
    input.status = "posted";
    input.pr.number = 999;
    mutate((await runs.claim(newRun(id))).run);
    mutate(await runs.get(id, snapshot.runKey));
    mutate(await runs.latestForPullRequest(id, PR.repositoryId, PR.number));
    mutate((await runs.listForPullRequest(id, PR.repositoryId, PR.number, 10))[0]);
    mutate((await runs.listStale(new Date(Date.now() + 60_000), 10))[0]);

    expect(await runs.get(id, snapshot.runKey)).toEqual(snapshot);
    expect(await runs.postedWithCharge(id, "stolen")).toBe(false);

    await tick();
    const moved = await runs.transition(id, snapshot.runKey, ["pending"], "queued");
    const movedSnapshot = structuredClone(moved);
    mutate(moved);
    expect(await runs.get(id, snapshot.runKey)).toEqual(movedSnapshot);
  });
});

describe.each(storeFactories())("pull request store contract: $name", ({ create, cleanup }) => {
  // Closes the stores each test opened, and drops their test databases.
  afterEach(cleanup);
  it("counts runs 1, 2, 3 per pull request and account", async () => {
    const { pullRequests } = await create();
    const id = newAccountId();
    const other = newAccountId();
    expect(await pullRequests.nextRunSequence(id, PR)).toBe(1);
    expect(await pullRequests.nextRunSequence(id, PR)).toBe(2);
    expect(await pullRequests.nextRunSequence(id, PR)).toBe(3);
    expect(await pullRequests.nextRunSequence(id, OTHER_PR)).toBe(1);
    expect(await pullRequests.nextRunSequence(id, OTHER_REPO_PR)).toBe(1);
    expect(await pullRequests.nextRunSequence(other, PR)).toBe(1);
    expect(await pullRequests.nextRunSequence(id, PR)).toBe(4);
  });

  it("gives 20 concurrent callers 20 distinct sequences, the first ones included", async () => {
    const { pullRequests } = await create();
    const id = newAccountId();
    const got = await Promise.all(
      Array.from({ length: 20 }, () => pullRequests.nextRunSequence(id, PR)),
    );
    expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await pullRequests.nextRunSequence(id, PR)).toBe(21);
  });

  it("keeps the counter and the flags apart", async () => {
    const { pullRequests } = await create();
    const id = newAccountId();
    // The counter creating the pull request's record changes no flag, and the notice is
    // still claimed exactly once.
    expect(await pullRequests.nextRunSequence(id, PR)).toBe(1);
    expect(await pullRequests.get(id, PR.repositoryId, PR.number)).toEqual({
      autoReviewPaused: false,
      pausedNoticeCommentId: null,
    });
    const claims = await Promise.all(
      Array.from({ length: 10 }, () => pullRequests.claimPausedNotice(id, PR)),
    );
    expect(claims.filter((c) => c)).toHaveLength(1);
    await pullRequests.setAutoReviewPaused(id, PR, true);
    await pullRequests.setPausedNoticeComment(id, PR, 42);
    expect(await pullRequests.nextRunSequence(id, PR)).toBe(2);
    expect(await pullRequests.get(id, PR.repositoryId, PR.number)).toEqual({
      autoReviewPaused: true,
      pausedNoticeCommentId: 42,
    });
  });

  it("reads an unknown pull request as all defaults", async () => {
    const { pullRequests } = await create();
    expect(await pullRequests.get(newAccountId(), PR.repositoryId, PR.number)).toEqual({
      autoReviewPaused: false,
      pausedNoticeCommentId: null,
    });
  });

  it("round-trips autoReviewPaused, per pull request and account", async () => {
    const { pullRequests } = await create();
    const id = newAccountId();
    await pullRequests.setAutoReviewPaused(id, PR, true);
    expect(await pullRequests.get(id, PR.repositoryId, PR.number)).toEqual({
      autoReviewPaused: true,
      pausedNoticeCommentId: null,
    });
    expect(
      (await pullRequests.get(id, OTHER_PR.repositoryId, OTHER_PR.number)).autoReviewPaused,
    ).toBe(false);
    expect(
      (await pullRequests.get(id, OTHER_REPO_PR.repositoryId, OTHER_REPO_PR.number))
        .autoReviewPaused,
    ).toBe(false);
    expect(
      (await pullRequests.get(newAccountId(), PR.repositoryId, PR.number)).autoReviewPaused,
    ).toBe(false);

    await pullRequests.setAutoReviewPaused(id, PR, false);
    expect((await pullRequests.get(id, PR.repositoryId, PR.number)).autoReviewPaused).toBe(false);
    await pullRequests.setAutoReviewPaused(id, PR, true);
    expect((await pullRequests.get(id, PR.repositoryId, PR.number)).autoReviewPaused).toBe(true);
  });

  it("round-trips the paused notice comment id, independently of the pause flag", async () => {
    const { pullRequests } = await create();
    const id = newAccountId();
    await pullRequests.setPausedNoticeComment(id, PR, 123456);
    expect(await pullRequests.get(id, PR.repositoryId, PR.number)).toEqual({
      autoReviewPaused: false,
      pausedNoticeCommentId: 123456,
    });
    await pullRequests.setAutoReviewPaused(id, PR, true);
    expect(await pullRequests.get(id, PR.repositoryId, PR.number)).toEqual({
      autoReviewPaused: true,
      pausedNoticeCommentId: 123456,
    });
    await pullRequests.setPausedNoticeComment(id, PR, 789);
    expect(await pullRequests.get(id, PR.repositoryId, PR.number)).toEqual({
      autoReviewPaused: true,
      pausedNoticeCommentId: 789,
    });
    expect(
      (await pullRequests.get(id, OTHER_PR.repositoryId, OTHER_PR.number)).pausedNoticeCommentId,
    ).toBeNull();
  });

  it("grants the paused notice to exactly one of 25 concurrent claims, and never again", async () => {
    const { pullRequests } = await create();
    const id = newAccountId();
    const results = await Promise.all(
      Array.from({ length: 25 }, () => pullRequests.claimPausedNotice(id, PR)),
    );
    expect(results.filter((r) => r)).toHaveLength(1);
    expect(await pullRequests.claimPausedNotice(id, PR)).toBe(false);
    // Claiming is not posting: no comment id, and the pause flag is untouched.
    expect(await pullRequests.get(id, PR.repositoryId, PR.number)).toEqual({
      autoReviewPaused: false,
      pausedNoticeCommentId: null,
    });
  });

  it("claims per pull request and per account", async () => {
    const { pullRequests } = await create();
    const id = newAccountId();
    const other = newAccountId();
    expect(await pullRequests.claimPausedNotice(id, PR)).toBe(true);
    expect(await pullRequests.claimPausedNotice(id, OTHER_PR)).toBe(true);
    expect(await pullRequests.claimPausedNotice(id, OTHER_REPO_PR)).toBe(true);
    expect(await pullRequests.claimPausedNotice(other, PR)).toBe(true);
    for (const [account, pr] of [
      [id, PR],
      [id, OTHER_PR],
      [id, OTHER_REPO_PR],
      [other, PR],
    ] as const) {
      expect(await pullRequests.claimPausedNotice(account, pr)).toBe(false);
    }
  });

  it("still claims exactly once when another write created the pull request first", async () => {
    const { pullRequests } = await create();
    const paused = newAccountId();
    await pullRequests.setAutoReviewPaused(paused, PR, true);
    const results = await Promise.all(
      Array.from({ length: 25 }, () => pullRequests.claimPausedNotice(paused, PR)),
    );
    expect(results.filter((r) => r)).toHaveLength(1);
    expect(await pullRequests.claimPausedNotice(paused, PR)).toBe(false);
    expect((await pullRequests.get(paused, PR.repositoryId, PR.number)).autoReviewPaused).toBe(
      true,
    );

    const resumed = newAccountId();
    await pullRequests.setAutoReviewPaused(resumed, PR, false);
    expect(await pullRequests.claimPausedNotice(resumed, PR)).toBe(true);
    expect(await pullRequests.claimPausedNotice(resumed, PR)).toBe(false);

    const commented = newAccountId();
    await pullRequests.setPausedNoticeComment(commented, PR, 55);
    expect(await pullRequests.claimPausedNotice(commented, PR)).toBe(true);
    expect(await pullRequests.claimPausedNotice(commented, PR)).toBe(false);
    expect(
      (await pullRequests.get(commented, PR.repositoryId, PR.number)).pausedNoticeCommentId,
    ).toBe(55);
  });

  it("keeps a claim through later writes of the other flags", async () => {
    const { pullRequests } = await create();
    const id = newAccountId();
    expect(await pullRequests.claimPausedNotice(id, PR)).toBe(true);
    await pullRequests.setAutoReviewPaused(id, PR, true);
    await pullRequests.setAutoReviewPaused(id, PR, false);
    await pullRequests.setPausedNoticeComment(id, PR, 1);
    expect(await pullRequests.claimPausedNotice(id, PR)).toBe(false);
  });

  it("returns copies of the flags", async () => {
    const { pullRequests } = await create();
    const id = newAccountId();
    await pullRequests.setPausedNoticeComment(id, PR, 7);
    const flags = await pullRequests.get(id, PR.repositoryId, PR.number);
    flags.autoReviewPaused = true;
    flags.pausedNoticeCommentId = 8;
    expect(await pullRequests.get(id, PR.repositoryId, PR.number)).toEqual({
      autoReviewPaused: false,
      pausedNoticeCommentId: 7,
    });
  });
});

describe.each(storeFactories())("account settings contract: $name", ({ create, cleanup }) => {
  // Closes the stores each test opened, and drops their test databases.
  afterEach(cleanup);
  it("gives a new account the default settings", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    const created = await accounts.upsert({ id, login: "acme", type: "Organization" });
    expect(created.settings).toEqual(DEFAULT_SETTINGS);
    expect((await accounts.get(id))?.settings).toEqual(DEFAULT_SETTINGS);
  });

  it("round-trips updateSettings and keeps the rest of the account", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    await accounts.upsert({ id, login: "Acme-Corp", type: "Organization" });
    await accounts.setStatus(id, "suspended");

    const updated = await accounts.updateSettings(id, { reviewCharging: "review_run" });
    expect(updated).toMatchObject({
      id,
      login: "Acme-Corp",
      type: "Organization",
      status: "suspended",
      settings: { reviewCharging: "review_run" },
    });
    const stored = await accounts.get(id);
    expect(stored).toMatchObject({
      login: "Acme-Corp",
      type: "Organization",
      status: "suspended",
      settings: { reviewCharging: "review_run" },
    });
    expect((await accounts.findByLogin("acme-corp"))?.settings.reviewCharging).toBe("review_run");

    // An empty update changes no setting.
    expect((await accounts.updateSettings(id, {}))?.settings).toEqual({
      ...DEFAULT_SETTINGS,
      reviewCharging: "review_run",
    });
    // And back.
    await accounts.updateSettings(id, { reviewCharging: "pull_request" });
    expect((await accounts.get(id))?.settings).toEqual({
      ...DEFAULT_SETTINGS,
      reviewCharging: "pull_request",
    });
  });

  it("changes only the account it is given", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    const other = newAccountId();
    await accounts.upsert({ id, login: "one", type: "Organization" });
    await accounts.upsert({ id: other, login: "two", type: "User" });
    await accounts.updateSettings(id, { reviewCharging: "review_run" });
    expect((await accounts.get(other))?.settings).toEqual(DEFAULT_SETTINGS);
  });

  it("returns null from updateSettings for an unknown account, and creates nothing", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    expect(await accounts.updateSettings(id, { reviewCharging: "review_run" })).toBeNull();
    expect(await accounts.get(id)).toBeNull();
  });

  it("keeps the settings when an existing account is upserted again", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    await accounts.upsert({ id, login: "acme", type: "Organization" });
    await accounts.updateSettings(id, { reviewCharging: "review_run" });

    const again = await accounts.upsert({ id, login: "acme-renamed", type: "Organization" });
    expect(again.login).toBe("acme-renamed");
    expect(again.settings).toEqual({ ...DEFAULT_SETTINGS, reviewCharging: "review_run" });
    expect((await accounts.get(id))?.settings).toEqual({
      ...DEFAULT_SETTINGS,
      reviewCharging: "review_run",
    });
  });

  it("returns copies: changing returned settings changes neither the account nor the defaults", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    const created = await accounts.upsert({ id, login: "acme", type: "Organization" });
    created.settings.reviewCharging = "review_run";
    const fetched = await accounts.get(id);
    fetched!.settings.reviewCharging = "review_run";
    expect(DEFAULT_SETTINGS.reviewCharging).toBe("pull_request");
    expect((await accounts.get(id))?.settings).toEqual({
      ...DEFAULT_SETTINGS,
      reviewCharging: "pull_request",
    });

    const updated = await accounts.updateSettings(id, { reviewCharging: "review_run" });
    updated!.settings.reviewCharging = "pull_request";
    expect((await accounts.get(id))?.settings).toEqual({
      ...DEFAULT_SETTINGS,
      reviewCharging: "review_run",
    });
    // A second new account still starts from the defaults.
    const next = await accounts.upsert({ id: newAccountId(), login: "next", type: "User" });
    expect(next.settings).toEqual(DEFAULT_SETTINGS);
  });

  it("round-trips billing contacts and the alert switch, as copies", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    await accounts.upsert({ id, login: "acme", type: "Organization" });
    const updated = await accounts.updateSettings(id, {
      billingContacts: ["billing@acme.test", "cfo@acme.test"],
      lowBalanceEmails: false,
    });
    updated!.settings.billingContacts.push("intruder@evil.test");
    expect((await accounts.get(id))?.settings).toEqual({
      ...DEFAULT_SETTINGS,
      billingContacts: ["billing@acme.test", "cfo@acme.test"],
      lowBalanceEmails: false,
    });
    expect(DEFAULT_SETTINGS.billingContacts).toEqual([]);
  });
});
