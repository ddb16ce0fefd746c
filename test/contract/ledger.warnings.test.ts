import { afterEach, describe, expect, it } from "@jest/globals";
import { NO_BUDGETS, type BudgetKind, type BudgetRules } from "../../src/accounts/budget-rules.js";
import { limitsFor } from "../../src/budgets/limits.js";
import type { ChargeInput } from "../../src/ledger/inputs.js";
import type { ChargeResult } from "../../src/ledger/ledger.js";
import type { ChargeLimits } from "../../src/ledger/month-use.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * Budget warnings and stops as the review acceptance asks for them: the account's rules
 * resolved for one pull request (limitsFor) with the rules' warning share, charged through the
 * ledger. Each budget kind warns once at its share, with its own cap and use; a cap of 0 stops
 * and never warns; a replay hands back only what its own charge warned; and a review that costs
 * more than one credit is held to the budgets by what it costs.
 */

interface Pr {
  repository?: string;
  repositoryId?: number;
  number: number;
  author?: string;
}

function review(key: string, pr: Pr, limits: ChargeLimits): ChargeInput {
  const repository = pr.repository ?? "acme/api";
  return {
    action: "review",
    description: `Review of ${repository}#${pr.number}`,
    reference: {
      kind: "pull_request",
      repository,
      ...(pr.repositoryId ? { repositoryId: pr.repositoryId } : {}),
      number: pr.number,
      ...(pr.author ? { author: pr.author } : {}),
    },
    idempotencyKey: key,
    limits,
  };
}

/** What accept-review passes: the rules for this pull request, their warning share, enforced. */
const limitsOf = (rules: BudgetRules, pr: Pr, enforce = true): ChargeLimits => ({
  ...limitsFor(rules, { repository: pr.repository ?? "acme/api", author: pr.author }),
  warnAtPercent: rules.warnAtPercent,
  enforce,
});

const warningsOf = (r: ChargeResult) => ("warnings" in r ? r.warnings : []);

describe.each(storeFactories())("budget warnings on the $name store", ({ create, cleanup }) => {
  afterEach(cleanup);

  async function funded(reviewCost = 1, credits = 1000) {
    const store = await create();
    const { ledger } = makeLedger(store, new TestClock(), 0, reviewCost);
    const id = newAccountId();
    await ledger.grant(id, purchase("buy", credits));
    return { store, ledger, id };
  }

  it("warns a repository budget once, at its share, with that repository's cap and use", async () => {
    const { store, ledger, id } = await funded();
    const rules: BudgetRules = {
      ...NO_BUDGETS,
      repositories: [
        { pattern: "api", credits: 5 },
        { pattern: "web", credits: 50 },
      ],
      warnAtPercent: 80,
    };
    const api = (n: number): Pr => ({ repository: "acme/api", repositoryId: 11, number: n });
    const web = (n: number): Pr => ({ repository: "acme/web", repositoryId: 12, number: n });
    const warned: ChargeResult[] = [];
    // 3 of 5 on api is 60 %; web's 3 of 50 is nowhere near its share.
    for (let n = 1; n <= 3; n++) {
      warned.push(await ledger.charge(id, review(`api-${n}`, api(n), limitsOf(rules, api(n)))));
      warned.push(await ledger.charge(id, review(`web-${n}`, web(n), limitsOf(rules, web(n)))));
    }
    expect(warned.flatMap(warningsOf)).toEqual([]);
    // The fourth on api is 80 %: api warns, with its cap and its use, under its name.
    const fourth = await ledger.charge(id, review("api-4", api(4), limitsOf(rules, api(4))));
    expect(fourth.status).toBe("created");
    expect(warningsOf(fourth)).toEqual([
      expect.objectContaining({ budget: "repository", repository: "acme/api", cap: 5, used: 4 }),
    ]);
    // Once a month: the fifth charge takes api to its cap without a second warning.
    const fifth = await ledger.charge(id, review("api-5", api(5), limitsOf(rules, api(5))));
    expect(fifth).toMatchObject({ status: "created", warnings: [] });
    expect(await ledger.charge(id, review("api-6", api(6), limitsOf(rules, api(6))))).toMatchObject(
      { status: "over_budget", budget: "repository", cap: 5, used: 5 },
    );
    // web has a warning of its own, at its own share (40 of 50).
    const webWarnings: unknown[] = [];
    for (let n = 4; n <= 40; n++) {
      const r = await ledger.charge(id, review(`web-${n}`, web(n), limitsOf(rules, web(n))));
      webWarnings.push(...warningsOf(r).map((w) => ({ ...w, at: n })));
    }
    expect(webWarnings).toEqual([
      expect.objectContaining({
        budget: "repository",
        repository: "acme/web",
        cap: 50,
        used: 40,
        at: 40,
      }),
    ]);
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });

  it("warns an author budget once, at its share, for that author only", async () => {
    const { store, ledger, id } = await funded();
    const rules: BudgetRules = {
      ...NO_BUDGETS,
      authorDefault: 10,
      authors: [{ login: "Bob", credits: 4 }],
      warnAtPercent: 75,
    };
    const bob = (n: number): Pr => ({ number: n, author: n % 2 ? "bob" : "BOB" });
    const carol = (n: number): Pr => ({ number: 100 + n, author: "carol" });
    const results: ChargeResult[] = [];
    for (let n = 1; n <= 4; n++) {
      results.push(await ledger.charge(id, review(`bob-${n}`, bob(n), limitsOf(rules, bob(n)))));
      results.push(
        await ledger.charge(id, review(`carol-${n}`, carol(n), limitsOf(rules, carol(n)))),
      );
    }
    // Bob's third charge is 75 % of his 4 (any case of his login); carol's 4 of 10 is not 75 %.
    expect(results.map((r) => warningsOf(r).length)).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
    expect(warningsOf(results[4]!)).toEqual([
      expect.objectContaining({ budget: "author", cap: 4, used: 3 }),
    ]);
    expect(JSON.stringify(warningsOf(results[4]!))).toContain("bob");
    expect(await ledger.charge(id, review("bob-5", bob(5), limitsOf(rules, bob(5))))).toMatchObject(
      { status: "over_budget", budget: "author", cap: 4, used: 4 },
    );
    // Carol reaches her own share (8 of the default 10) later, once.
    const carolWarnings = [];
    for (let n = 5; n <= 10; n++) {
      const r = await ledger.charge(id, review(`carol-${n}`, carol(n), limitsOf(rules, carol(n))));
      carolWarnings.push(...warningsOf(r).map((w) => ({ ...w, at: n })));
    }
    expect(carolWarnings).toEqual([
      expect.objectContaining({ budget: "author", cap: 10, used: 8, at: 8 }),
    ]);
    expect(JSON.stringify(carolWarnings)).toContain("carol");
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });

  it("warns each budget a charge takes to its share, each with its own cap", async () => {
    const { ledger, id } = await funded();
    const rules: BudgetRules = {
      ...NO_BUDGETS,
      account: 2,
      repositories: [{ pattern: "api", credits: 2 }],
      authorDefault: 2,
      warnAtPercent: 50,
    };
    const pr = { repositoryId: 11, number: 1, author: "bob" };
    const r = await ledger.charge(id, review("c1", pr, limitsOf(rules, pr)));
    expect(
      warningsOf(r)
        .map((w) => [w.budget, w.cap, w.used])
        .sort(),
    ).toEqual([
      ["account", 2, 1],
      ["author", 2, 1],
      ["repository", 2, 1],
    ]);
  });

  it("a cap of 0 stops every charge and never warns, even for a charge let past it", async () => {
    const { store, ledger, id } = await funded();
    for (const [budget, rules] of [
      ["account", { ...NO_BUDGETS, account: 0 }],
      ["repository", { ...NO_BUDGETS, repositories: [{ pattern: "*", credits: 0 }] }],
      ["author", { ...NO_BUDGETS, authorDefault: 0 }],
    ] as [BudgetKind, BudgetRules][]) {
      // A repository and an author of its own: the budgets before it used nothing of theirs.
      const pr = {
        repository: `acme/${budget}`,
        repositoryId: budget.length,
        number: 1,
        author: budget,
      };
      expect(await ledger.charge(id, review(`stop-${budget}`, pr, limitsOf(rules, pr)))).toEqual({
        status: "over_budget",
        budget,
        cap: 0,
        used: 0,
        cost: 1,
      });
      // An admin's override is charged and counted, but a budget of nothing has no share.
      const past = await ledger.charge(
        id,
        review(`past-${budget}`, pr, limitsOf(rules, pr, false)),
      );
      expect(past).toMatchObject({ status: "created", warnings: [] });
    }
    expect(await store.ledger.list(id, { types: ["usage"], limit: 10 })).toHaveLength(3);
  });

  it("does not check or warn a cap the charge has no key for: no pull request, no author", async () => {
    const { ledger, id } = await funded();
    // Caps of 0 stop any charge they are checked against.
    const limits: ChargeLimits = { repository: 0, author: 0, pullRequestRuns: 0, warnAtPercent: 1 };
    const chat: ChargeInput = {
      action: "review",
      description: "Review asked for outside a pull request",
      idempotencyKey: "no-pr",
      limits,
    };
    expect(await ledger.charge(id, chat)).toMatchObject({ status: "created", warnings: [] });
    const anonymous = review("no-author", { repositoryId: 11, number: 1 }, { author: 0 });
    expect(await ledger.charge(id, anonymous)).toMatchObject({ status: "created", warnings: [] });
  });

  it("never warns without a warning share, however much of a cap is used", async () => {
    const { ledger, id } = await funded();
    const pr = { repositoryId: 11, number: 1, author: "bob" };
    const all = await ledger.charge(
      id,
      review("all", pr, { account: 1, repository: 1, author: 1 }),
    );
    expect(all).toMatchObject({ status: "created", warnings: [] });
  });

  it("a replayed charge hands back the warnings it recorded, not the month's earlier ones", async () => {
    const { ledger, id } = await funded();
    const rules: BudgetRules = {
      ...NO_BUDGETS,
      account: 10,
      repositories: [{ pattern: "web", credits: 4 }],
      warnAtPercent: 50,
    };
    const api = (n: number): Pr => ({ repository: "acme/api", repositoryId: 11, number: n });
    const web = (n: number): Pr => ({ repository: "acme/web", repositoryId: 12, number: n });
    const charge = (key: string, pr: Pr) => ledger.charge(id, review(key, pr, limitsOf(rules, pr)));
    for (let n = 1; n <= 4; n++) expect(warningsOf(await charge(`api-${n}`, api(n)))).toEqual([]);
    // The account's 5 of 10 warns; the charge after it warns nothing.
    expect(warningsOf(await charge("api-5", api(5)))).toMatchObject([{ budget: "account" }]);
    expect(warningsOf(await charge("api-6", api(6)))).toEqual([]);
    // web's own share (2 of 4) is reached later: that charge warns for web alone.
    expect(warningsOf(await charge("web-1", web(1)))).toEqual([]);
    const webWarned = await charge("web-2", web(2));
    expect(warningsOf(webWarned)).toEqual([
      expect.objectContaining({ budget: "repository", repository: "acme/web", cap: 4, used: 2 }),
    ]);
    expect(warningsOf(await charge("web-3", web(3)))).toEqual([]);

    // Replays: each hands back its own charge's warnings, and only those.
    const replay = (key: string, pr: Pr) => charge(key, pr);
    const quiet = await replay("api-6", api(6));
    expect(quiet).toMatchObject({ status: "replayed", warnings: [] });
    const accountWarned = await replay("api-5", api(5));
    expect(accountWarned.status).toBe("replayed");
    expect(warningsOf(accountWarned)).toEqual([
      expect.objectContaining({ budget: "account", cap: 10, used: 5 }),
    ]);
    const webReplay = await replay("web-2", web(2));
    expect(webReplay.status).toBe("replayed");
    expect(warningsOf(webReplay)).toEqual(warningsOf(webWarned));
    expect(await replay("web-3", web(3))).toMatchObject({ status: "replayed", warnings: [] });
    // A budget no longer in the rules the replay is given has nothing to warn of.
    const capless = await ledger.charge(id, review("api-5", api(5), { warnAtPercent: 50 }));
    expect(capless).toMatchObject({ status: "replayed", warnings: [] });
  });

  it("holds a review that costs 2 credits to the budgets by what it costs", async () => {
    const { store, ledger, id } = await funded(2);
    const rules: BudgetRules = {
      ...NO_BUDGETS,
      account: 7,
      repositories: [{ pattern: "api", credits: 5 }],
      authors: [{ login: "bob", credits: 3 }],
      warnAtPercent: 60,
    };
    const pr = (n: number, author = "bob"): Pr => ({ repositoryId: 11, number: n, author });
    const charge = (key: string, p: Pr) => ledger.charge(id, review(key, p, limitsOf(rules, p)));

    // Bob's 2 of 3 is 66 %: his first review warns his budget; a second would be 4 > 3.
    const first = await charge("b1", pr(1));
    expect(first).toMatchObject({ status: "created", entry: { amount: -2 } });
    expect(warningsOf(first)).toEqual([
      expect.objectContaining({ budget: "author", cap: 3, used: 2 }),
    ]);
    expect(await charge("b2", pr(2))).toEqual({
      status: "over_budget",
      budget: "author",
      cap: 3,
      used: 2,
      cost: 2,
    });
    // The repository's 4 of 5 (80 %) warns with carol's review; a third would be 6 > 5.
    const second = await charge("c1", pr(3, "carol"));
    expect(warningsOf(second)).toEqual([
      expect.objectContaining({ budget: "repository", cap: 5, used: 4 }),
    ]);
    expect(await charge("d1", pr(4, "dave"))).toMatchObject({
      status: "over_budget",
      budget: "repository",
      cap: 5,
      used: 4,
      cost: 2,
    });
    // Elsewhere the account's 6 of 7 warns, and 8 does not fit it.
    const web = { repository: "acme/web", repositoryId: 12, number: 9, author: "erin" };
    expect(warningsOf(await charge("e1", web))).toEqual([
      expect.objectContaining({ budget: "account", cap: 7, used: 6 }),
    ]);
    expect(await charge("e2", { ...web, number: 10 })).toMatchObject({
      status: "over_budget",
      budget: "account",
      cap: 7,
      used: 6,
      cost: 2,
    });
    // A refund gives the budgets back the 2 credits it took: bob's next review fits again.
    expect(await ledger.refund(id, { chargeKey: "b1" })).toMatchObject({
      status: "created",
      entry: { amount: 2 },
    });
    expect(await charge("b2", pr(2))).toMatchObject({ status: "created", warnings: [] });
    // Four reviews charged, one refunded.
    expect((await ledger.summary(id)).balance).toBe(1000 - 3 * 2);
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });
});
