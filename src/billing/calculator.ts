/**
 * The public cost calculator: what a workload of pull requests costs a month in credits, and
 * the cheapest way to buy those credits with the packages for sale (docs/billing.md, "The cost
 * calculator"). Pure: the route passes in the packages, the free tier and the review's cost.
 */
import { DEFAULT_COSTS } from "../ledger/credits.js";
import { InvalidInputError } from "../shared/errors.js";
import type { CreditPackage } from "./packages.js";

export type ReviewCharging = "pull_request" | "review_run";

export interface Workload {
  pullRequestsPerMonth: number;
  /** Review runs a pull request gets (its opening counts as one); only per-run charging pays them. */
  pushesPerPullRequest: number;
  charging: ReviewCharging;
}

export interface CalculatorTerms {
  packages: readonly CreditPackage[];
  /** Free credits every account gets each month (FREE_REVIEWS_PER_MONTH). */
  freePerMonth: number;
  /** Credits one review costs; default the cost table's. */
  reviewCost?: number;
}

export interface PackageCount {
  package: CreditPackage;
  count: number;
}

/** One package bought alone, as many as the need takes. */
export interface PackageOption extends PackageCount {
  totalCents: number;
}

export interface CostEstimate {
  /** Credits one review costs. */
  reviewCost: number;
  /** Charged reviews a month: pull requests, or their runs under per-run charging. */
  reviewsPerMonth: number;
  creditsPerMonth: number;
  /** The part of creditsPerMonth the monthly free credits pay. */
  freeCredits: number;
  creditsToBuy: number;
  /** The cheapest mix of packages covering creditsToBuy (none when nothing is to buy). */
  cheapest: PackageCount[];
  cheapestCredits: number;
  monthlyCents: number;
  /** Each package on its own, in the configured order. */
  options: PackageOption[];
}

/**
 * The largest stretch of the need the search walks unit by unit. Beyond the bound below the
 * best-value package is bought in whole numbers first (provably optimal), so with any sane
 * package list the walk is a few hundred steps; this only caps an absurd CREDIT_PACKAGES.
 */
const MAX_SEARCH_UNITS = 200_000;

export function estimateCost(workload: Workload, terms: CalculatorTerms): CostEstimate {
  const reviewCost = terms.reviewCost ?? DEFAULT_COSTS.review;
  const runs = workload.charging === "review_run" ? workload.pushesPerPullRequest : 1;
  const reviewsPerMonth = workload.pullRequestsPerMonth * runs;
  const creditsPerMonth = reviewsPerMonth * reviewCost;
  const freeCredits = Math.min(terms.freePerMonth, creditsPerMonth);
  const creditsToBuy = creditsPerMonth - freeCredits;
  const cheapest = cheapestCover(terms.packages, creditsToBuy);
  const monthlyCents = safe(cheapest.reduce((s, c) => s + c.count * c.package.priceCents, 0));
  const options = terms.packages.map((p) => {
    const count = Math.ceil(creditsToBuy / p.credits);
    return { package: p, count, totalCents: safe(count * p.priceCents) };
  });
  return {
    reviewCost,
    reviewsPerMonth,
    creditsPerMonth,
    freeCredits,
    creditsToBuy,
    cheapest,
    cheapestCredits: cheapest.reduce((s, c) => s + c.count * c.package.credits, 0),
    monthlyCents,
    options,
  };
}

/** Cents past 2^53 would be rounded: a workload that large is refused, not mispriced. */
function safe(cents: number): number {
  if (!Number.isSafeInteger(cents)) {
    throw new InvalidInputError("This workload is too large to price", [
      { path: "pullRequestsPerMonth", message: "too large to price" },
    ]);
  }
  return cents;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The cheapest multiset of packages whose credits add up to at least `need` (an unbounded
 * covering knapsack), fewest packages among equally cheap ones, largest package first.
 *
 * Counted in units of the packages' greatest common size, so the need is u units. Let b be the
 * package with the lowest price per credit (m units). Some cheapest cover has fewer than m
 * other packages: among m of them, some run has units adding to a multiple of m (pigeonhole on
 * sums mod m), and swapping it for b's of the same size costs no more. So its other packages
 * hold at most B = (m - 1) * (largest size) units, and for u > B it holds a b: cheapest(u) =
 * cheapest(u - m) + one b. The walk covers at most B units, whatever the workload.
 */
export function cheapestCover(packages: readonly CreditPackage[], need: number): PackageCount[] {
  if (need <= 0 || packages.length === 0) return [];
  const unit = packages.reduce((g, p) => gcd(g, p.credits), 0);
  const sizes = packages.map((p) => p.credits / unit);
  const best = packages.reduce(
    (b, p, i) =>
      p.priceCents * packages[b]!.credits < packages[b]!.priceCents * p.credits ? i : b,
    0,
  );
  const m = sizes[best]!;
  const bound = Math.min((m - 1) * Math.max(...sizes), MAX_SEARCH_UNITS);
  const units = Math.ceil(need / unit);
  const upfront = units > bound ? Math.ceil((units - bound) / m) : 0;
  const rest = Math.max(0, units - upfront * m);

  // cost[t]: the cheapest cover of t units; count[t] its packages; pick[t] one of them.
  const cost = new Array<number>(rest + 1).fill(0);
  const count = new Array<number>(rest + 1).fill(0);
  const pick = new Array<number>(rest + 1).fill(-1);
  for (let t = 1; t <= rest; t++) {
    cost[t] = Infinity;
    for (let i = 0; i < packages.length; i++) {
      const before = Math.max(0, t - sizes[i]!);
      const c = cost[before]! + packages[i]!.priceCents;
      const n = count[before]! + 1;
      if (c < cost[t]! || (c === cost[t]! && n < count[t]!)) {
        cost[t] = c;
        count[t] = n;
        pick[t] = i;
      }
    }
  }
  const counts = new Array<number>(packages.length).fill(0);
  counts[best] = upfront;
  for (let t = rest; t > 0; t = Math.max(0, t - sizes[pick[t]!]!)) counts[pick[t]!]!++;
  return packages
    .map((p, i) => ({ package: p, count: counts[i]! }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.package.credits - a.package.credits);
}
