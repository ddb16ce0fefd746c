import { afterEach, describe, expect, it } from "@jest/globals";
import type { ChargeInput } from "../../src/ledger/inputs.js";
import type { ChargeLimits } from "../../src/ledger/month-use.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

interface Pr {
  repository?: string;
  /** GitHub's repository id; absent as on charges written before it was kept. */
  repositoryId?: number;
  number?: number;
  author?: string;
}

/** A review charge on a pull request, with the budgets it must fit. */
function charge(key: string, pr: Pr = {}, limits?: ChargeLimits): ChargeInput {
  const repository = pr.repository ?? "acme/api";
  const number = pr.number ?? 1;
  return {
    action: "review",
    description: `Review of ${repository}#${number}`,
    reference: {
      kind: "pull_request",
      repository,
      ...(pr.repositoryId ? { repositoryId: pr.repositoryId } : {}),
      number,
      ...(pr.author ? { author: pr.author } : {}),
    },
    idempotencyKey: key,
    ...(limits ? { limits } : {}),
  };
}

const statuses = (results: { status: string }[]) => {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

describe.each(storeFactories())(
  "budgets in the ledger on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);
    const fresh = async (): Promise<Store> => create();

    async function funded(credits = 1000) {
      const store = await fresh();
      const clock = new TestClock();
      const { ledger } = makeLedger(store, clock, 0);
      const id = newAccountId();
      await ledger.grant(id, purchase("buy", credits));
      return { store, ledger, clock, id };
    }

    it("never lets 200 concurrent charges past an account budget of 7", async () => {
      const { store, ledger, id } = await funded();
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          ledger.charge(id, charge(`c${i}`, { number: i + 1 }, { account: 7 })),
        ),
      );
      expect(statuses(results)).toEqual({ created: 7, over_budget: 193 });
      expect(results.find((r) => r.status === "over_budget")).toMatchObject({
        budget: "account",
        cap: 7,
        used: 7,
        cost: 1,
      });
      expect(await store.ledger.list(id, { types: ["usage"], limit: 300 })).toHaveLength(7);
      expect((await ledger.monthUse(id)).account).toBe(7);
      expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
    });

    it("caps each repository on its own, concurrently", async () => {
      const { store, ledger, id } = await funded();
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) => {
          const repository = i % 2 === 0 ? "acme/api" : "acme/web";
          const limits = repository === "acme/api" ? { repository: 5 } : { repository: 9 };
          return ledger.charge(id, charge(`c${i}`, { repository, number: i + 1 }, limits));
        }),
      );
      expect(statuses(results)).toEqual({ created: 14, over_budget: 106 });
      const use = await ledger.monthUse(id);
      const byRepo = Object.fromEntries(use.repositories.map((c) => [c.key, c.credits]));
      expect(byRepo).toEqual({ "acme/api": 5, "acme/web": 9 });
      expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
    });

    it("caps each author, concurrently, and counts authors case-insensitively", async () => {
      const { ledger, id } = await funded();
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          ledger.charge(
            id,
            charge(`c${i}`, { number: i + 1, author: i % 2 ? "Bob" : "bob" }, { author: 4 }),
          ),
        ),
      );
      expect(statuses(results)).toEqual({ created: 4, over_budget: 56 });
      expect((await ledger.monthUse(id)).authors).toEqual([{ key: "bob", credits: 4, runs: 4 }]);
    });

    it("caps the charged runs of one pull request, concurrently", async () => {
      const { ledger, id } = await funded();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          ledger.charge(id, charge(`run-${i}`, { number: 42 }, { pullRequestRuns: 3 })),
        ),
      );
      expect(statuses(results)).toEqual({ created: 3, over_budget: 47 });
      // Another pull request has runs of its own.
      expect(
        await ledger.charge(id, charge("other", { number: 43 }, { pullRequestRuns: 3 })),
      ).toMatchObject({
        status: "created",
      });
    });

    it("gives a pull request its run back when one of this month's runs is refunded", async () => {
      const { store, ledger, id } = await funded();
      const cap = { pullRequestRuns: 2 };
      await ledger.charge(id, charge("r1", { number: 5 }, cap));
      await ledger.charge(id, charge("r2", { number: 5 }, cap));
      expect((await ledger.charge(id, charge("r3", { number: 5 }, cap))).status).toBe(
        "over_budget",
      );
      await ledger.refund(id, { chargeKey: "r1" });
      expect((await ledger.charge(id, charge("r3", { number: 5 }, cap))).status).toBe("created");
      // The store's read of one pull request's entries: its three charges and the refund.
      const since = new Date("2026-11-01T00:00:00Z");
      const pull = (repository: string, number: number) => ({ repository, number });
      const entries = await store.ledger.pullRequestEntries(id, pull("acme/api", 5), since);
      expect(entries.map((e) => e.type)).toEqual(["usage", "usage", "refund", "usage"]);
      // GitHub's repository names are case-insensitive.
      expect(await store.ledger.pullRequestEntries(id, pull("ACME/Api", 5), since)).toHaveLength(4);
      expect(await store.ledger.pullRequestEntries(id, pull("acme/api", 6), since)).toEqual([]);
      expect(await store.ledger.pullRequestEntries(id, pull("acme/web", 5), since)).toEqual([]);
      const later = new Date("2026-12-01T00:00:00Z");
      expect(await store.ledger.pullRequestEntries(id, pull("acme/api", 5), later)).toEqual([]);
    });

    it("keeps a repository's budget and run cap across a rename: both count by its id", async () => {
      const { store, ledger, id } = await funded();
      const limits = { repository: 3, pullRequestRuns: 2 };
      const api = { repositoryId: 11, repository: "acme/api" };
      expect((await ledger.charge(id, charge("a1", { ...api, number: 5 }, limits))).status).toBe(
        "created",
      );
      expect((await ledger.charge(id, charge("a2", { ...api, number: 6 }, limits))).status).toBe(
        "created",
      );
      // Renamed on GitHub: the same id under its new name, still the same budget and run count.
      const renamed = { repositoryId: 11, repository: "acme/api-v2" };
      expect(
        (await ledger.charge(id, charge("a3", { ...renamed, number: 5 }, limits))).status,
      ).toBe("created");
      expect(
        await ledger.charge(id, charge("a4", { ...renamed, number: 5 }, limits)),
      ).toMatchObject({ status: "over_budget", budget: "repository", cap: 3, used: 3 });
      expect(
        await ledger.charge(id, charge("a4", { ...renamed, number: 5 }, { pullRequestRuns: 2 })),
      ).toMatchObject({ status: "over_budget", budget: "pull_request_runs", cap: 2, used: 2 });
      // Another repository that takes the old name starts from nothing.
      const other = { repositoryId: 12, repository: "acme/api", number: 5 };
      expect((await ledger.charge(id, charge("b1", other, limits))).status).toBe("created");
      const use = await ledger.monthUse(id);
      const rows = use.repositories.map((c) => [c.key, c.name, c.credits, c.runs]);
      expect(rows.sort()).toEqual([
        ["11", "acme/api-v2", 3, 3],
        ["12", "acme/api", 1, 1],
      ]);
      // Runs per pull request are shown under the name each repository has now.
      const runs = (await ledger.pullRequestRuns(id)).map((c) => [c.key, c.runs]);
      expect(runs.sort()).toEqual([
        ["acme/api#5", 1],
        ["acme/api-v2#5", 2],
        ["acme/api-v2#6", 1],
      ]);
      // A refund of a charge made under the old name keeps the new one.
      await ledger.refund(id, { chargeKey: "a2" });
      expect((await ledger.monthUse(id)).repositories).toContainEqual({
        key: "11",
        name: "acme/api-v2",
        credits: 2,
        runs: 2,
      });
      expect((await ledger.pullRequestRuns(id)).map((c) => c.key).sort()).toEqual([
        "acme/api#5",
        "acme/api-v2#5",
      ]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("folds a repository's use counted by name (before ids were kept) into its id on the first charge with one", async () => {
      const { store, ledger, id } = await funded();
      const limits = { repository: 4, pullRequestRuns: 2, warnAtPercent: 50 };
      // Two charges as before ids were kept: counted under the name. The second warns (2/4).
      await ledger.charge(id, charge("old1", { repository: "acme/api", number: 5 }, limits));
      const warned = await ledger.charge(id, charge("old2", { number: 6 }, limits));
      expect(warned).toMatchObject({ warnings: [{ id: "repository:acme/api", used: 2 }] });
      expect((await ledger.monthUse(id)).repositories).toEqual([
        { key: "acme/api", credits: 2, runs: 2 },
      ]);
      // The first charge with the id, under the same name (any case): one counter, by id,
      // holding all three; the budget warned once this month, now under the id.
      const withId = { repositoryId: 11, repository: "Acme/API" };
      const third = await ledger.charge(id, charge("new1", { ...withId, number: 5 }, limits));
      expect(third).toMatchObject({ status: "created", warnings: [] });
      const use = await ledger.monthUse(id);
      expect(use.repositories).toEqual([{ key: "11", name: "acme/api", credits: 3, runs: 3 }]);
      expect(use.warned).toEqual(["repository:11"]);
      // The run cap of #5 counts the charge made before ids too.
      expect(
        await ledger.charge(id, charge("new2", { ...withId, number: 5 }, limits)),
      ).toMatchObject({ status: "over_budget", budget: "pull_request_runs", used: 2 });
      // A refund of a charge counted by name gives back to the id's counter.
      await ledger.refund(id, { chargeKey: "old2" });
      expect((await ledger.monthUse(id)).repositories).toEqual([
        { key: "11", name: "acme/api", credits: 2, runs: 2 },
      ]);
      expect(
        (await ledger.charge(id, charge("new3", { ...withId, number: 7 }, limits))).status,
      ).toBe("created");
      expect(
        (await ledger.charge(id, charge("new4", { ...withId, number: 8 }, limits))).status,
      ).toBe("created");
      expect(
        await ledger.charge(id, charge("new5", { ...withId, number: 9 }, limits)),
      ).toMatchObject({ status: "over_budget", budget: "repository", cap: 4, used: 4 });
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("checks the budget and the balance in one step: a charge that fits one but not the other writes nothing", async () => {
      // Fits the budget, not the balance.
      const poor = await funded(2);
      const a = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          poor.ledger.charge(poor.id, charge(`p${i}`, { number: i + 1 }, { account: 5 })),
        ),
      );
      expect(statuses(a)).toEqual({ created: 2, insufficient: 18 });
      expect((await poor.ledger.summary(poor.id)).balance).toBe(0);
      // Fits the balance, not the budget: the balance is left as it was.
      const rich = await funded(10);
      const b = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          rich.ledger.charge(rich.id, charge(`r${i}`, { number: i + 1 }, { account: 2 })),
        ),
      );
      expect(statuses(b)).toEqual({ created: 2, over_budget: 18 });
      expect((await rich.ledger.summary(rich.id)).balance).toBe(8);
      // The month's free-tier entry, the purchase and the two charges.
      expect(await rich.store.ledger.list(rich.id, { limit: 100 })).toHaveLength(4);
    });

    it("a cap of 0 lets nothing through; a replayed key is still a replay", async () => {
      const { ledger, id } = await funded();
      const first = await ledger.charge(id, charge("k1"));
      expect(first.status).toBe("created");
      expect(await ledger.charge(id, charge("k1", {}, { account: 0 }))).toMatchObject({
        status: "replayed",
      });
      expect(await ledger.charge(id, charge("k2", {}, { account: 0 }))).toMatchObject({
        status: "over_budget",
        cap: 0,
      });
    });

    it("gives a budget back what a refund of this month's charge returns, not last month's", async () => {
      const { store, ledger, clock, id } = await funded();
      clock.set("2026-11-30T23:00:00Z");
      await ledger.charge(id, charge("nov", { number: 1 }));
      clock.set("2026-12-02T10:00:00Z");
      await ledger.charge(id, charge("dec-1", { number: 2 }, { account: 2 }));
      await ledger.charge(id, charge("dec-2", { number: 3 }, { account: 2 }));
      expect(await ledger.charge(id, charge("dec-3", { number: 4 }, { account: 2 }))).toMatchObject(
        {
          status: "over_budget",
        },
      );
      // November's refund is December's money back, not December's budget.
      await ledger.refund(id, { chargeKey: "nov" });
      expect(await ledger.charge(id, charge("dec-3", { number: 4 }, { account: 2 }))).toMatchObject(
        {
          status: "over_budget",
        },
      );
      await ledger.refund(id, { chargeKey: "dec-1" });
      expect(await ledger.charge(id, charge("dec-3", { number: 4 }, { account: 2 }))).toMatchObject(
        {
          status: "created",
        },
      );
      const use = await ledger.monthUse(id);
      expect(use).toMatchObject({ period: "2026-12", charged: 3, account: 2 });
      expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
    });

    it("starts every budget again when the month rolls over", async () => {
      const { ledger, clock, id } = await funded();
      clock.set("2026-11-29T10:00:00Z");
      const limits = { account: 1, repository: 1, author: 1, pullRequestRuns: 1 };
      const pr = { number: 7, author: "bob" };
      expect((await ledger.charge(id, charge("a", pr, limits))).status).toBe("created");
      expect((await ledger.charge(id, charge("b", pr, limits))).status).toBe("over_budget");
      clock.set("2026-12-01T00:00:00Z");
      expect(await ledger.monthUse(id)).toMatchObject({
        period: "2026-12",
        account: 0,
        repositories: [],
      });
      expect((await ledger.charge(id, charge("b", pr, limits))).status).toBe("created");
    });

    it("counts the month from the entries when the newest was written before month use", async () => {
      const store = await fresh();
      const clock = new TestClock(new Date("2026-11-20T10:00:00Z"));
      const { ledger } = makeLedger(store, clock, 0);
      const id = newAccountId();
      // Two entries as an older release wrote them: a grant and a charge of acme/api#5, this month.
      const at = new Date("2026-11-20T09:00:00Z");
      await store.ledger.append(
        rawEntry(id, 1, {
          type: "purchase",
          deltas: { free: 0, plan: 0, bonus: 0, purchased: 10 },
          amount: 10,
          bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: 10 },
          balanceAfter: 10,
          createdAt: at,
        }),
      );
      await store.ledger.append(
        rawEntry(id, 2, {
          type: "usage",
          amount: -1,
          deltas: { free: 0, plan: 0, bonus: 0, purchased: -1 },
          bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: 9 },
          balanceAfter: 9,
          reference: { kind: "pull_request", repository: "acme/api", number: 5 },
          createdAt: at,
        }),
      );
      expect(await ledger.monthUse(id)).toMatchObject({ account: 1, charged: 1 });
      expect(
        await ledger.charge(id, charge("new", { number: 5 }, { pullRequestRuns: 1 })),
      ).toMatchObject({
        status: "over_budget",
        budget: "pull_request_runs",
      });
      const written = await ledger.charge(id, charge("new", { number: 6 }, { account: 2 }));
      expect(written).toMatchObject({ status: "created", entry: { monthUse: { account: 2 } } });
      expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
    });

    it("refunds on request up to 20% of the month's charges, concurrently, once per charge", async () => {
      const { store, ledger, id } = await funded();
      for (let i = 0; i < 10; i++) await ledger.charge(id, charge(`c${i}`, { number: i + 1 }));
      const request = { userId: 7, login: "bob", reason: "the review was wrong" };
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ledger.refund(id, { chargeKey: `c${i}`, request })),
      );
      // 20% of 10 credits charged this month.
      expect(statuses(results)).toEqual({ created: 2, over_refund_cap: 8 });
      expect(results.find((r) => r.status === "over_refund_cap")).toEqual({
        status: "over_refund_cap",
        cap: 2,
        used: 2,
        credits: 1,
      });
      const refunds = await store.ledger.list(id, { types: ["refund"], limit: 20 });
      expect(refunds).toHaveLength(2);
      expect(refunds[0]!.refundRequest).toEqual(request);
      // A refunded charge asked again is the same refund, whatever the cap says now.
      const done = refunds[0]!.refundOf!;
      const key = (await store.ledger.findById(id, done))!.idempotencyKey;
      expect(await ledger.refund(id, { chargeKey: key, request })).toMatchObject({
        status: "replayed",
      });
      // Automatic refunds do not count against the cap, nor are they capped.
      expect(await ledger.refund(id, { chargeKey: "c9" })).toMatchObject({ status: "created" });
      expect((await ledger.monthUse(id)).requestedRefunds).toBe(2);
      expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
    });

    it("allows at least one requested refund however little was charged", async () => {
      const { ledger, id } = await funded();
      await ledger.charge(id, charge("only"));
      const request = { userId: 7, login: "bob", reason: "noise" };
      expect(await ledger.refund(id, { chargeKey: "only", request })).toMatchObject({
        status: "created",
        entry: { refundRequest: request },
      });
    });

    it("refuses bad limits and requests before writing anything", async () => {
      const { store, ledger, id } = await funded();
      await expect(ledger.charge(id, charge("x", {}, { account: -1 }))).rejects.toThrow(/account/);
      await expect(
        ledger.charge(id, { ...charge("y"), limits: { everything: 1 } as ChargeLimits }),
      ).rejects.toThrow();
      await ledger.charge(id, charge("z"));
      await expect(
        ledger.refund(id, { chargeKey: "z", request: { userId: 7, login: "bob", reason: " " } }),
      ).rejects.toThrow(/reason/);
      expect(await store.ledger.list(id, { limit: 10 })).toHaveLength(3); // free tier, buy, z
    });

    it("warns once per budget and month, at the share, whatever the concurrency", async () => {
      const { store, ledger, clock, id } = await funded();
      const limits = { account: 10, repository: 20, warnAtPercent: 80 };
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          ledger.charge(id, charge(`c${i}`, { number: i + 1 }, limits)),
        ),
      );
      const warnings = results.flatMap((r) => ("warnings" in r ? r.warnings : []));
      // 8 of 10 reached once; the repository's 16 of 20 is never reached (the account stops at 10).
      expect(warnings).toEqual([{ id: "account", budget: "account", cap: 10, used: 8 }]);
      // Down under the share and up again: no second warning this month.
      for (const k of ["c0", "c1", "c2"]) await ledger.refund(id, { chargeKey: k });
      const again = await ledger.charge(id, charge("again", { number: 99 }, limits));
      expect(again).toMatchObject({ status: "created", warnings: [] });
      // A new month warns again.
      clock.set("2026-12-01T08:00:00Z");
      for (let i = 0; i < 8; i++) {
        const r = await ledger.charge(id, charge(`dec${i}`, { number: 200 + i }, limits));
        expect("warnings" in r && r.warnings.length).toBe(i === 7 ? 1 : 0);
      }
      expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
    });

    it("a same-key charge that loses the race is its replay, never a refusal", async () => {
      for (const [credits, limits] of [
        [100, { account: 1 }],
        [1, undefined],
      ] as const) {
        const { store, ledger, id } = await funded(credits);
        // The second caller misses the key, then reads the newest entry only after the first
        // caller's charge under that key is in: that entry is what would refuse it.
        const findByKey = store.ledger.findByKey.bind(store.ledger);
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let lookups = 0;
        store.ledger.findByKey = async (account, key) => {
          const found = await findByKey(account, key);
          if (key === "pr0" && ++lookups === 2) await gate;
          return found;
        };
        const first = ledger.charge(id, charge("pr0", {}, limits));
        const second = ledger.charge(id, charge("pr0", {}, limits));
        const a = await first;
        release();
        const b = await second;
        expect([a.status, b.status]).toEqual(["created", "replayed"]);
      }
    });

    it("warns a budget set past its share with the next charge, and a let-through charge counts", async () => {
      const { ledger, id } = await funded();
      for (let i = 0; i < 9; i++) await ledger.charge(id, charge(`c${i}`, { number: i + 1 }));
      const limits = { account: 10, warnAtPercent: 80 };
      const next = await ledger.charge(id, charge("c9", { number: 10 }, limits));
      expect(next).toMatchObject({ warnings: [{ id: "account", cap: 10, used: 10 }] });

      const other = await funded();
      const lim = { account: 10, warnAtPercent: 80 };
      for (let i = 0; i < 7; i++)
        await other.ledger.charge(other.id, charge(`c${i}`, { number: i + 1 }, lim));
      // An admin's override is not stopped by the caps but counts toward their warning.
      const past = await other.ledger.charge(
        other.id,
        charge("over", { number: 8 }, { ...lim, enforce: false }),
      );
      expect(past).toMatchObject({ status: "created", warnings: [{ id: "account", used: 8 }] });
    });

    it("a replayed charge hands back the warnings it recorded (the first call may have died)", async () => {
      const { ledger, id } = await funded();
      const limits = { account: 10, warnAtPercent: 80 };
      for (let i = 0; i < 7; i++)
        await ledger.charge(id, charge(`c${i}`, { number: i + 1 }, limits));
      const first = await ledger.charge(id, charge("c7", { number: 8 }, limits));
      expect(first).toMatchObject({ status: "created", warnings: [{ id: "account", used: 8 }] });
      const again = await ledger.charge(id, charge("c7", { number: 8 }, limits));
      expect(again).toMatchObject({ status: "replayed", warnings: [{ id: "account", used: 8 }] });
      // A charge that recorded no warning has none to hand back.
      const quiet = await ledger.charge(id, charge("c0", { number: 1 }, limits));
      expect(quiet).toMatchObject({ status: "replayed", warnings: [] });
    });

    it("an entry stamped a moment before the month by a host behind keeps the new month's use", async () => {
      const { store, ledger, clock, id } = await funded();
      clock.set("2026-12-01T00:00:00.100Z");
      const limits = { account: 2 };
      await ledger.charge(id, charge("m1", { number: 1 }, limits));
      await ledger.charge(id, charge("m2", { number: 2 }, limits));
      clock.set("2026-11-30T23:59:59.900Z");
      await ledger.grant(id, purchase("late", 1));
      clock.set("2026-12-01T00:00:01Z");
      expect(await ledger.charge(id, charge("m3", { number: 3 }, limits))).toMatchObject({
        status: "over_budget",
        used: 2,
      });
      expect((await ledger.monthUse(id)).account).toBe(2);
      expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
    });

    it("ledger:verify finds month use that does not add up, and requested refunds over the cap", async () => {
      const { store, ledger, id } = await funded();
      const c = await ledger.charge(id, charge("c1"));
      if (!("entry" in c)) throw new Error("charge refused");
      const prev = c.entry;
      // A charge that claims the month had used nothing before it.
      await store.ledger.append({
        ...prev,
        seq: prev.seq + 1,
        idempotencyKey: "planted",
        bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: prev.balanceAfter - 1 },
        balanceAfter: prev.balanceAfter - 1,
        monthUse: { ...prev.monthUse!, account: 1, charged: 1 },
      });
      // Requested refunds of both charges: 2 credits, past 20% of the 2 charged (a cap of 1).
      const planted = (await store.ledger.findByKey(id, "planted"))!;
      const refundOf = (of: typeof prev, seq: number, balance: number) => ({
        ...prev,
        seq,
        type: "refund" as const,
        amount: 1,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: 1 },
        bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: balance },
        balanceAfter: balance,
        idempotencyKey: `refund:${of.idempotencyKey}`,
        refundOf: of.id,
        refundRequest: { userId: 1, login: "bob", reason: "x" },
        monthUse: null,
      });
      await store.ledger.append(refundOf(prev, prev.seq + 2, prev.balanceAfter));
      await store.ledger.append(refundOf(planted, prev.seq + 3, prev.balanceAfter + 1));
      const problems = (await verifyLedger(store.ledger)).problems.map((p) => [p.seq, p.problem]);
      expect(problems).toEqual(
        expect.arrayContaining([
          [prev.seq + 1, expect.stringMatching(/month use/)],
          [prev.seq + 3, expect.stringMatching(/exceed the cap \(1\)/)],
        ]),
      );
    });
  },
);
