import { describe, expect, it } from "@jest/globals";
import { cheapestCover, estimateCost, type Workload } from "../../src/billing/calculator.js";
import { DEFAULT_PACKAGES, type CreditPackage } from "../../src/billing/packages.js";
import { InvalidInputError } from "../../src/shared/errors.js";

const terms = { packages: DEFAULT_PACKAGES, freePerMonth: 3 };
const work = (pullRequestsPerMonth: number, over: Partial<Workload> = {}): Workload => ({
  pullRequestsPerMonth,
  pushesPerPullRequest: 1,
  charging: "pull_request",
  ...over,
});
/** The cover as "id x count", largest package first. */
const mix = (need: number, packages: readonly CreditPackage[] = DEFAULT_PACKAGES) =>
  cheapestCover(packages, need).map((c) => `${c.package.id} x${c.count}`);
const pkg = (id: string, credits: number, priceCents: number): CreditPackage => ({
  id,
  name: id,
  description: id,
  credits,
  priceCents,
});

describe("the cost calculator", () => {
  it("10 pull requests a month: 3 free, 7 to buy, one Starter for $30", () => {
    const e = estimateCost(work(10), terms);
    expect(e).toMatchObject({
      reviewsPerMonth: 10,
      creditsPerMonth: 10,
      freeCredits: 3,
      creditsToBuy: 7,
      cheapestCredits: 100,
      monthlyCents: 3000,
    });
    expect(mix(7)).toEqual(["starter x1"]);
    expect(e.options.map((o) => [o.package.id, o.count, o.totalCents])).toEqual([
      ["starter", 1, 3000],
      ["growth", 1, 12250],
      ["scale", 1, 39600],
    ]);
  });

  it("600 pull requests, 2 pushes each, per-run charging: 1,197 credits, 2 Growth and 2 Starter for $305 (not a $396 Scale)", () => {
    const e = estimateCost(work(600, { charging: "review_run", pushesPerPullRequest: 2 }), terms);
    expect(e).toMatchObject({
      reviewsPerMonth: 1200,
      creditsPerMonth: 1200,
      creditsToBuy: 1197,
      cheapestCredits: 1200,
      monthlyCents: 30500,
    });
    expect(e.cheapest.map((c) => `${c.package.id} x${c.count}`)).toEqual([
      "growth x2",
      "starter x2",
    ]);
    expect(e.options.map((o) => [o.count, o.totalCents])).toEqual([
      [12, 36000],
      [3, 36750],
      [1, 39600],
    ]);
  });

  it("per-PR charging ignores the pushes: later runs are free", () => {
    expect(estimateCost(work(600, { pushesPerPullRequest: 5 }), terms)).toMatchObject({
      reviewsPerMonth: 600,
      creditsToBuy: 597,
      monthlyCents: 12250 + 3000, // 1 Growth + 1 Starter
    });
  });

  it("picks a Scale where it is cheaper than Growths, and Growths where they are", () => {
    expect(mix(1500)).toEqual(["growth x3"]); // $367.50 < $396
    expect(mix(1600)).toEqual(["scale x1"]); // $396 < 3 Growth + 1 Starter, $397.50
    expect(mix(2100)).toEqual(["scale x1", "starter x1"]); // $426
    expect(mix(4001)).toEqual(["scale x2", "starter x1"]);
  });

  it("0 pull requests, or fewer than the free tier: nothing to buy, $0", () => {
    for (const prs of [0, 1, 3]) {
      const e = estimateCost(work(prs), terms);
      expect(e).toMatchObject({ creditsToBuy: 0, monthlyCents: 0, cheapest: [] });
      expect(e.freeCredits).toBe(prs);
      expect(e.options.every((o) => o.count === 0 && o.totalCents === 0)).toBe(true);
    }
    expect(estimateCost(work(4), terms)).toMatchObject({ creditsToBuy: 1, monthlyCents: 3000 });
  });

  it("the largest workload accepted is priced at once: 100,000 PRs x 1,000 runs", () => {
    const started = Date.now();
    const e = estimateCost(
      work(100_000, { charging: "review_run", pushesPerPullRequest: 1000 }),
      terms,
    );
    expect(Date.now() - started).toBeLessThan(200);
    expect(e).toMatchObject({
      reviewsPerMonth: 100_000_000,
      creditsToBuy: 99_999_997,
      cheapestCredits: 100_000_000,
      monthlyCents: 50_000 * 39_600,
    });
    expect(e.cheapest.map((c) => [c.package.id, c.count])).toEqual([["scale", 50_000]]);
  });

  it("a review costing 2 credits doubles the need", () => {
    expect(estimateCost(work(10), { ...terms, reviewCost: 2 })).toMatchObject({
      creditsPerMonth: 20,
      creditsToBuy: 17,
    });
  });

  it("matches a search of every combination, for package lists greedy gets wrong", () => {
    const lists: CreditPackage[][] = [
      [...DEFAULT_PACKAGES],
      [pkg("a", 7, 700), pkg("b", 10, 900), pkg("c", 3, 320)],
      [pkg("a", 6, 100), pkg("b", 9, 140), pkg("c", 20, 330)],
      [pkg("only", 50, 1000)],
    ];
    for (const packages of lists) {
      for (let need = 0; need <= 260; need += packages === lists[0] ? 13 : 1) {
        const cover = cheapestCover(packages, need);
        const credits = cover.reduce((s, c) => s + c.count * c.package.credits, 0);
        const cents = cover.reduce((s, c) => s + c.count * c.package.priceCents, 0);
        expect(credits).toBeGreaterThanOrEqual(need);
        expect(cents).toBe(bruteForce(packages, need));
      }
    }
  });

  it("refuses, rather than rounds, a price past 2^53 cents", () => {
    const huge = [pkg("big", 1, 99_999_999)];
    expect(() =>
      estimateCost(work(100_000, { charging: "review_run", pushesPerPullRequest: 1000 }), {
        packages: huge,
        freePerMonth: 0,
      }),
    ).toThrow(InvalidInputError);
  });
});

/** The cheapest cover by trying every count of every package (small needs only). */
function bruteForce(packages: readonly CreditPackage[], need: number): number {
  let best = Infinity;
  const walk = (i: number, credits: number, cents: number): void => {
    if (cents >= best) return;
    if (credits >= need) {
      best = cents;
      return;
    }
    if (i === packages.length) return;
    const p = packages[i]!;
    for (let n = 0; credits + (n - 1) * p.credits < need; n++) {
      walk(i + 1, credits + n * p.credits, cents + n * p.priceCents);
    }
  };
  walk(0, 0, 0);
  return best;
}
