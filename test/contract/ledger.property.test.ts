import { afterEach, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import type { ChargeResult, Ledger } from "../../src/ledger/ledger.js";
import type { ChargeInput } from "../../src/ledger/inputs.js";
import type { ChargeLimits, MonthUse, UseCounter } from "../../src/ledger/month-use.js";
import { periodOf } from "../../src/ledger/periods.js";
import { BUCKETS, type BucketAmounts } from "../../src/ledger/types.js";
import type { AccountId } from "../../src/accounts/types.js";
import type { BudgetKind } from "../../src/accounts/budget-rules.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { Store } from "../../src/store/store.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { propertyRuns } from "../support/property-runs.js";

const FREE = 3;

/** A bonus lot as the model sees it: its id is the seq of the entry that created it. */
interface ModelLot {
  id: number;
  expiresAt: number | null;
  remaining: number;
}
type LotChange = { lot: number; amount: number };

/**
 * Where a charge is counted, worked out here rather than with the ledger's useKeysOf. A
 * repository is its id when the charge has one, else (as before ids were kept) its name.
 */
interface ModelKeys {
  repository: string;
  /** The name it was charged under, lower-cased. */
  name: string;
  byId: boolean;
  author: string | null;
  pull: string;
}
type ModelCounters = Map<string, { credits: number; runs: number; name?: string }>;
/** The calendar month's use (UTC), as the model sees it. */
interface ModelUse {
  period: string;
  /** Gross credits this month's charges took. */
  charged: number;
  /** Credits given back this month by refunds someone asked for. */
  requestedRefunds: number;
  /** This month's charges net of refunds of this month's charges. */
  account: number;
  repositories: ModelCounters;
  authors: ModelCounters;
  /** By `<repository>#<number>`, as entries are: never folded. */
  pulls: ModelCounters;
  /** This month: each repository id's newest name charged under, and the id of each name. */
  newestName: Map<string, string>;
  idOfName: Map<string, string>;
}
const emptyUse = (period: string): ModelUse => ({
  period,
  charged: 0,
  requestedRefunds: 0,
  account: 0,
  repositories: new Map(),
  authors: new Map(),
  pulls: new Map(),
  newestName: new Map(),
  idOfName: new Map(),
});

/** What the ledger should hold, computed the simplest way there is. */
interface Model {
  buckets: BucketAmounts;
  period: string | null;
  grants: Set<string>;
  charges: Map<
    string,
    { buckets: BucketAmounts; lots: LotChange[]; period: string; keys: ModelKeys }
  >;
  refunded: Set<string>;
  /** Live lots: with an expiry until it passes (even empty), without one while not empty. */
  lots: ModelLot[];
  /** The lots that expired holding credits, in order. */
  expired: number[];
  /** Free credits a month. */
  free: number;
  /** The month's use as of the last write (or read): a new month starts from zero. */
  use: ModelUse;
}
interface Real {
  ledger: Ledger;
  store: Store;
  clock: TestClock;
  id: AccountId;
}
type Cmd = fc.AsyncCommand<Model, Real>;

/** What every write does first, as the model sees it: lots expire, then the month rolls. */
function settle(m: Model, r: Real): void {
  const now = r.clock.now().getTime();
  const due = m.lots.filter((l) => l.expiresAt !== null && l.expiresAt <= now);
  // In spend order, as the ledger writes them.
  for (const l of due.sort(spendOrder)) {
    if (l.remaining > 0) m.expired.push(l.id);
    m.buckets.bonus -= l.remaining;
  }
  m.lots = m.lots.filter((l) => l.expiresAt === null || l.expiresAt > now);
  roll(m, r);
}

/** Soonest expiry first, lots without expiry last, the older first on a tie. */
const spendOrder = (a: ModelLot, b: ModelLot) =>
  (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.id - b.id;

/** The lazy monthly reset, as the model sees it. */
function roll(m: Model, r: Real): void {
  const now = periodOf(r.clock.now());
  if (m.period !== null && m.period >= now) return;
  m.buckets.free = m.free;
  m.period = now;
}

const total = (b: BucketAmounts) => b.free + b.bonus + b.purchased;

/** The model's use of the month the clock is in. */
function useOf(m: Model, r: Real): ModelUse {
  const period = periodOf(r.clock.now());
  if (m.use.period !== period) m.use = emptyUse(period);
  return m.use;
}

/**
 * The repository counters a charge counts in: by id, the id's and its name's from before ids
 * (which the charge folds into the id's); by name, the name's, or else the id's now named so.
 */
function repositoryKeys(u: ModelUse, keys: ModelKeys): string[] {
  const r = u.repositories;
  if (keys.byId) return [keys.repository, keys.name].filter((k) => r.has(k));
  if (r.has(keys.name)) return [keys.name];
  const named = [...r].find(([k, c]) => !k.includes("/") && c.name === keys.name);
  return named ? [named[0]] : [];
}

const repositoryUsed = (u: ModelUse, keys: ModelKeys) =>
  repositoryKeys(u, keys).reduce((sum, k) => sum + u.repositories.get(k)!.credits, 0);

/** A charge of one credit (sign 1) or its refund (-1) in this month's counters. */
function count(u: ModelUse, keys: ModelKeys, sign: 1 | -1): void {
  if (sign === 1) u.charged += 1;
  u.account += sign;
  const mine = repositoryKeys(u, keys);
  const before = mine.map((k) => u.repositories.get(k)!);
  const into = keys.byId ? keys.repository : (mine[0] ?? keys.name);
  const name = keys.byId
    ? sign === 1
      ? keys.name
      : (u.repositories.get(keys.repository)?.name ?? keys.name)
    : u.repositories.get(into)?.name;
  for (const k of mine) u.repositories.delete(k);
  // A refund by a name no counter holds any more (its repository renamed since its charge
  // was folded into the id's) finds nothing to give back to: nothing goes below zero.
  const credits = Math.max(0, before.reduce((s, c) => s + c.credits, 0) + sign);
  const runs = Math.max(0, before.reduce((s, c) => s + c.runs, 0) + sign);
  if (credits !== 0 || runs !== 0) {
    u.repositories.set(into, { credits, runs, ...(name !== undefined ? { name } : {}) });
  }
  if (keys.byId) {
    if (sign === 1) u.newestName.set(keys.repository, keys.name);
    u.idOfName.set(keys.name, keys.repository);
  }
  const counters: [ModelCounters, string | null][] = [
    [u.authors, keys.author],
    [u.pulls, keys.pull],
  ];
  for (const [map, key] of counters) {
    if (key === null) continue;
    const c = map.get(key) ?? { credits: 0, runs: 0 };
    const next = { credits: c.credits + sign, runs: c.runs + sign };
    if (next.credits === 0 && next.runs === 0) map.delete(key);
    else map.set(key, next);
  }
}

type Stop = { budget: BudgetKind; cap: number; used: number };

/** A pull request's runs: by id, its own and those charged by its name before ids. */
function pullRuns(u: ModelUse, keys: ModelKeys): number {
  const number = keys.pull.slice(keys.pull.lastIndexOf("#"));
  const own = u.pulls.get(keys.pull)?.runs ?? 0;
  return keys.byId ? own + (u.pulls.get(`${keys.name}${number}`)?.runs ?? 0) : own;
}
/** The first budget (account, repository, author, pull request runs) a 1-credit charge breaks. */
function modelStop(u: ModelUse, keys: ModelKeys, limits: ChargeLimits | undefined): Stop | null {
  if (!limits) return null;
  const checks: [BudgetKind, number | undefined, number | null][] = [
    ["account", limits.account, u.account],
    ["repository", limits.repository, repositoryUsed(u, keys)],
    [
      "author",
      limits.author,
      keys.author === null ? null : (u.authors.get(keys.author)?.credits ?? 0),
    ],
    ["pull_request_runs", limits.pullRequestRuns, pullRuns(u, keys)],
  ];
  for (const [budget, cap, used] of checks) {
    if (cap !== undefined && used !== null && used + 1 > cap) return { budget, cap, used };
  }
  return null;
}

/** Month use in a form to compare: counters as sorted [key, credits, runs]; `warned` left out. */
const sorted = (cs: [string, number, number][]) =>
  cs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
/** Month use as carried, and each pull request's runs (Ledger.pullRequestRuns): runs only. */
const realUse = (u: MonthUse, pullRuns: UseCounter[]) => {
  const rows = (cs: UseCounter[]) =>
    sorted(cs.map((c): [string, number, number] => [c.key, c.credits, c.runs]));
  const named = (cs: UseCounter[]) =>
    cs.map((c) => [c.key, c.name ?? null]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  return {
    period: u.period,
    charged: u.charged,
    requestedRefunds: u.requestedRefunds,
    account: u.account,
    repositories: rows(u.repositories),
    names: named(u.repositories),
    authors: rows(u.authors),
    pulls: sorted(pullRuns.map((c): [string, number, number] => [c.key, 0, c.runs])),
  };
};
const modelUse = (u: ModelUse) => {
  const rows = (cs: ModelCounters) =>
    sorted([...cs].map(([k, c]): [string, number, number] => [k, c.credits, c.runs]));
  // Pull requests under the newest name of their repository (by id, or by a name it had).
  const pulls = new Map<string, number>();
  for (const [k, c] of u.pulls) {
    const at = k.lastIndexOf("#");
    const repository = k.slice(0, at);
    const id = repository.includes("/") ? u.idOfName.get(repository) : repository;
    const shown = `${(id && u.newestName.get(id)) ?? repository}${k.slice(at)}`;
    pulls.set(shown, (pulls.get(shown) ?? 0) + c.runs);
  }
  return {
    period: u.period,
    charged: u.charged,
    requestedRefunds: u.requestedRefunds,
    account: u.account,
    repositories: rows(u.repositories),
    names: [...u.repositories]
      .map(([k, c]) => [k, c.name ?? null])
      .sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    authors: rows(u.authors),
    pulls: sorted(
      [...pulls]
        .filter(([, runs]) => runs > 0)
        .map(([k, runs]): [string, number, number] => [k, 0, runs]),
    ),
  };
};

/** Any command, then: the ledger's month use is the model's. */
class Checked implements Cmd {
  constructor(readonly cmd: Cmd) {}
  check = (m: Readonly<Model>) => this.cmd.check(m);
  async run(m: Model, r: Real) {
    await this.cmd.run(m, r);
    const real = realUse(await r.ledger.monthUse(r.id), await r.ledger.pullRequestRuns(r.id));
    expect(real).toEqual(modelUse(useOf(m, r)));
  }
  toString = () => this.cmd.toString();
}

class Grant implements Cmd {
  constructor(
    readonly type: "purchase" | "bonus",
    readonly amount: number,
    readonly key: string,
    /** Bonus only: the lot expires this many hours after the grant; null: never. */
    readonly expiresInHours: number | null = null,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const hours = this.type === "bonus" ? this.expiresInHours : null;
    const expiresAt = hours === null ? null : r.clock.now().getTime() + hours * 3_600_000;
    const res = await r.ledger.grant(r.id, {
      type: this.type,
      amount: this.amount,
      description: "grant",
      idempotencyKey: `${this.type}-${this.key}`,
      ...(expiresAt === null ? {} : { expiresAt: new Date(expiresAt) }),
    });
    const key = `${this.type}-${this.key}`;
    // A replayed key returns before anything else happens, the month roll included.
    if (m.grants.has(key)) return void expect(res.status).toBe("replayed");
    settle(m, r);
    expect(res.status).toBe("created");
    m.buckets[this.type === "bonus" ? "bonus" : "purchased"] += this.amount;
    m.grants.add(key);
    if (this.type === "bonus") {
      m.lots.push({ id: res.entry.seq, expiresAt, remaining: this.amount });
      expect(res.entry.lotDeltas).toEqual([{ lot: res.entry.seq, amount: this.amount }]);
    } else expect(res.entry.lotDeltas).toEqual([]);
  }
  toString = () => `grant(${this.type}, ${this.amount}, ${this.key}, ${this.expiresInHours}h)`;
}

interface Pr {
  repository: string;
  repositoryId?: number | undefined;
  number: number;
  author?: string | undefined;
}

class Charge implements Cmd {
  constructor(
    readonly key: string,
    readonly pr: Pr = { repository: "acme/widgets", number: 1 },
    readonly limits?: ChargeLimits,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const { repository, repositoryId, number, author } = this.pr;
    const input: ChargeInput = {
      action: "review",
      description: `Review of ${repository}#${number}`,
      reference: {
        kind: "pull_request",
        repository,
        ...(repositoryId ? { repositoryId } : {}),
        number,
        ...(author ? { author } : {}),
      },
      idempotencyKey: this.key,
      ...(this.limits ? { limits: this.limits } : {}),
    };
    const res = await r.ledger.charge(r.id, input);
    // A replay whatever the limits (and the balance) say now.
    if (m.charges.has(this.key)) return void expect(res.status).toBe("replayed");
    settle(m, r);
    const use = useOf(m, r);
    const name = repository.toLowerCase();
    const counted = repositoryId ? String(repositoryId) : name;
    const keys: ModelKeys = {
      repository: counted,
      name,
      byId: repositoryId !== undefined,
      author: author ? author.toLowerCase() : null,
      pull: `${counted}#${number}`,
    };
    // The budgets first, then the balance.
    const stop = modelStop(use, keys, this.limits);
    if (stop) return void expect(res).toEqual({ status: "over_budget", cost: 1, ...stop });
    if (total(m.buckets) === 0) {
      return void expect(res).toEqual({ status: "insufficient", balance: 0, cost: 1 });
    }
    expect(res.status).toBe("created");
    count(use, keys, 1);
    const bucket = BUCKETS.find((b) => m.buckets[b] > 0)!;
    m.buckets[bucket] -= 1;
    const lots: LotChange[] = [];
    if (bucket === "bonus") {
      const from = m.lots.filter((l) => l.remaining > 0).sort(spendOrder)[0]!;
      from.remaining -= 1;
      lots.push({ lot: from.id, amount: -1 });
      m.lots = m.lots.filter((l) => l.remaining > 0 || l.expiresAt !== null);
    }
    if (!("entry" in res)) throw new Error("no entry");
    expect(res.entry.lotDeltas).toEqual(lots);
    m.charges.set(this.key, {
      buckets: { free: 0, plan: 0, bonus: 0, purchased: 0, [bucket]: -1 },
      lots,
      period: use.period,
      keys,
    });
  }
  toString = () =>
    `charge(${this.key}, ${this.pr.repository}${this.pr.repositoryId ? `(${this.pr.repositoryId})` : ""}#${this.pr.number}` +
    `${this.pr.author ? ` by ${this.pr.author}` : ""}, ${JSON.stringify(this.limits ?? null)})`;
}

const REQUEST = { userId: 7, login: "Bob", reason: "the review was wrong" };

class Refund implements Cmd {
  /** `requested`: asked for (`/jasper refund`), so under the month's cap. */
  constructor(
    readonly key: string,
    readonly requested = false,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const res = await r.ledger.refund(r.id, {
      chargeKey: this.key,
      ...(this.requested ? { request: REQUEST } : {}),
    });
    const taken = m.charges.get(this.key);
    if (!taken) return void expect(res.status).toBe("charge_not_found");
    if (m.refunded.has(this.key)) return void expect(res.status).toBe("replayed");
    settle(m, r);
    const use = useOf(m, r);
    if (this.requested) {
      // 20% of this month's gross charges, rounded down, and at least one credit.
      const cap = Math.max(1, Math.floor(use.charged / 5));
      if (use.requestedRefunds + 1 > cap) {
        const over = { status: "over_refund_cap", cap, used: use.requestedRefunds, credits: 1 };
        return void expect(res).toEqual(over);
      }
      use.requestedRefunds += 1;
    }
    expect(res.status).toBe("created");
    if (!("entry" in res)) throw new Error("no entry");
    expect(res.entry.refundRequest).toEqual(this.requested ? REQUEST : null);
    // Only a charge of this month gives its budgets back; an older one is just money back.
    if (taken.period === use.period) count(use, taken.keys, -1);
    // Its entry, this month, still tells which repository its name was.
    else if (taken.keys.byId) use.idOfName.set(taken.keys.name, taken.keys.repository);
    for (const b of BUCKETS) m.buckets[b] -= taken.buckets[b];
    m.refunded.add(this.key);
    // Back to the lot while it is live; otherwise to a new lot without expiry (the refund's).
    const lots: LotChange[] = [];
    let orphaned = 0;
    for (const t of taken.lots) {
      const live = m.lots.find((l) => l.id === t.lot);
      if (live) {
        live.remaining -= t.amount;
        lots.push({ lot: t.lot, amount: -t.amount });
      } else orphaned -= t.amount;
    }
    if (orphaned > 0) {
      m.lots.push({ id: res.entry.seq, expiresAt: null, remaining: orphaned });
      lots.push({ lot: res.entry.seq, amount: orphaned });
    }
    expect(res.entry.lotDeltas).toEqual(lots);
  }
  toString = () => `refund(${this.key}${this.requested ? ", requested" : ""})`;
}

class NextMonth implements Cmd {
  constructor(readonly day: number) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const now = r.clock.now();
    r.clock.set(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, this.day)).toISOString(),
    );
  }
  toString = () => `nextMonth(day ${this.day})`;
}

/** The clock moves on by some hours: lots reach their expiry between touches. */
class Later implements Cmd {
  constructor(readonly hours: number) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    r.clock.set(new Date(r.clock.now().getTime() + this.hours * 3_600_000).toISOString());
  }
  toString = () => `later(${this.hours}h)`;
}

const key = fc.integer({ min: 0, max: 7 }).map(String);
const commands = [
  fc
    .tuple(
      fc.constantFrom("purchase" as const, "bonus" as const),
      fc.integer({ min: 1, max: 4 }),
      key,
    )
    .map(([t, a, k]) => new Grant(t, a, k)),
  fc
    .tuple(
      fc.integer({ min: 1, max: 4 }),
      key,
      fc.option(fc.integer({ min: 1, max: 120 }), { nil: null }),
    )
    .map(([a, k, h]) => new Grant("bonus", a, k, h)),
  key.map((k) => new Charge(k)),
  key.map((k) => new Charge(k)),
  key.map((k) => new Refund(k)),
  fc.integer({ min: 1, max: 28 }).map((d) => new NextMonth(d)),
  fc.integer({ min: 1, max: 72 }).map((h) => new Later(h)),
];

/**
 * For the lots: few keys, so refunds find their charges; short expiries and small steps of
 * the clock, so charges, refunds and expiries interleave.
 */
const lotKey = fc.integer({ min: 0, max: 3 }).map(String);
const lotCommands = [
  fc
    .tuple(
      fc.integer({ min: 1, max: 3 }),
      lotKey,
      fc.option(fc.integer({ min: 1, max: 48 }), { nil: null, freq: 3 }),
    )
    .map(([a, k, h]) => new Grant("bonus", a, k, h)),
  fc.tuple(fc.integer({ min: 1, max: 2 }), lotKey).map(([a, k]) => new Grant("purchase", a, k)),
  lotKey.map((k) => new Charge(k)),
  lotKey.map((k) => new Charge(k)),
  lotKey.map((k) => new Refund(k)),
  lotKey.map((k) => new Refund(k)),
  fc.integer({ min: 1, max: 24 }).map((h) => new Later(h)),
  fc.integer({ min: 1, max: 28 }).map((d) => new NextMonth(d)),
];

/**
 * For the month's use: charges on a few repositories, authors (one login in two spellings)
 * and pull requests, under small random budgets; refunds with and without a request; the
 * clock moving within the month and across months.
 */
// Enough keys, charges and credits that a month can hold 10 charges and more (a cap of 2
// requested refunds and up); the month moves on about once in 13 commands.
const budgetKey = fc.integer({ min: 0, max: 19 }).map(String);
const smallCap = fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined, freq: 2 });
const limits: fc.Arbitrary<ChargeLimits | undefined> = fc.option(
  fc
    .record({
      account: smallCap,
      repository: smallCap,
      author: smallCap,
      pullRequestRuns: smallCap,
      warnAtPercent: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    })
    .map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined))),
  { nil: undefined, freq: 2 },
);
/**
 * Repositories by GitHub id (11 renamed to api-v2 and back, 12), and by name only, as charges
 * were written before ids were kept: their month's use folds into the id's.
 */
const repositories: { repository: string; repositoryId?: number }[] = [
  { repository: "acme/api", repositoryId: 11 },
  { repository: "Acme/API", repositoryId: 11 },
  { repository: "acme/api-v2", repositoryId: 11 },
  { repository: "acme/web", repositoryId: 12 },
  { repository: "acme/api" },
  { repository: "Acme/Web" },
];
const pr: fc.Arbitrary<Pr> = fc
  .record({
    repository: fc.constantFrom(...repositories),
    number: fc.integer({ min: 1, max: 3 }),
    author: fc.constantFrom(undefined, "bob", "Bob", "alice"),
  })
  .map(({ repository, ...rest }) => ({ ...repository, ...rest }));
// Jasper's charges all carry the id; a run cap on one without (from before) is not modelled.
const budgetCharge = fc.tuple(budgetKey, pr, limits).map(([k, p, l]) => {
  if (p.repositoryId || !l) return new Charge(k, p, l);
  return new Charge(k, p, { ...l, pullRequestRuns: undefined });
});
const budgetRefund = fc.tuple(budgetKey, fc.boolean()).map(([k, q]) => new Refund(k, q));
const budgetCommands = [
  fc.tuple(fc.integer({ min: 1, max: 20 }), budgetKey).map(([a, k]) => new Grant("purchase", a, k)),
  ...Array.from({ length: 7 }, () => budgetCharge),
  ...Array.from({ length: 3 }, () => budgetRefund),
  fc.integer({ min: 1, max: 48 }).map((h) => new Later(h)),
  fc.integer({ min: 1, max: 28 }).map((d) => new NextMonth(d)),
];

const factories = storeFactories();
// Closes the stores each test opened, and drops their test databases.
afterEach(() => Promise.all(factories.map((factory) => factory.cleanup())));

describe.each(factories)("ledger properties on the $name store", ({ name, create }) => {
  const property = (
    free: number,
    cmdList: fc.Arbitrary<Cmd>[],
    size?: fc.SizeForArbitrary,
    numRuns = name === "memory" ? 200 : 25,
    maxCommands = 40,
  ) =>
    fc.assert(
      fc.asyncProperty(
        fc.commands(
          cmdList.map((c) => c.map((cmd) => new Checked(cmd))),
          { maxCommands, size },
        ),
        async (cmds) => {
          const store = await create();
          const clock = new TestClock();
          const real: Real = {
            ...makeLedger(store, clock, free),
            store,
            clock,
            id: newAccountId(),
          };
          const model: Model = {
            buckets: { free: 0, plan: 0, bonus: 0, purchased: 0 },
            period: null,
            grants: new Set(),
            charges: new Map(),
            refunded: new Set(),
            lots: [],
            expired: [],
            free,
            use: emptyUse(""),
          };
          await fc.asyncModelRun(() => ({ model, real }), cmds);

          const entries = await store.ledger.list(real.id, { limit: 1000 });
          const balance = entries[0]?.balanceAfter ?? 0;
          expect(balance).toBe(entries.reduce((sum, e) => sum + e.amount, 0));
          expect(entries.every((e) => e.balanceAfter >= 0)).toBe(true);
          expect(new Set(entries.map((e) => e.idempotencyKey)).size).toBe(entries.length);
          const refundOf = entries.flatMap((e) => (e.refundOf ? [e.refundOf] : []));
          expect(new Set(refundOf).size).toBe(refundOf.length);
          // Reading the balance rolls the month (and expires lots) too, in both.
          settle(model, real);
          expect((await real.ledger.summary(real.id)).buckets).toEqual(model.buckets);
          // Bonus lots: none ever negative, each expires at most once (what the summary expired
          // included), the ones holding credits as the model says.
          const all = await store.ledger.list(real.id, { limit: 1000 });
          expect(all.flatMap((e) => e.lotsAfter ?? []).every((l) => l.remaining >= 0)).toBe(true);
          const expiredLots = all
            .filter((e) => e.type === "expiration")
            .flatMap((e) => (e.lotDeltas ?? []).map((d) => d.lot));
          expect(new Set(expiredLots).size).toBe(expiredLots.length);
          const grants = all.filter((e) => e.type === "bonus" || e.type === "purchase");
          expect(grants).toHaveLength(model.grants.size);
          const latest = await store.ledger.latest(real.id);
          const held = (latest?.lotsAfter ?? []).filter((l) => l.remaining > 0);
          expect(held.map((l) => [l.lot, l.expiresAt?.getTime() ?? null, l.remaining])).toEqual(
            [...model.lots]
              .filter((l) => l.remaining > 0)
              .sort(spendOrder)
              .map((l) => [l.id, l.expiresAt, l.remaining]),
          );
          expect([...expiredLots].reverse()).toEqual(model.expired);
          expect((await verifyLedger(store.ledger)).problems).toEqual([]);
        },
      ),
      { numRuns: propertyRuns(numRuns) },
    );

  it("keeps balance == sum of entries >= 0, one entry per key, one refund per charge", async () => {
    await property(FREE, commands);
  });

  // Without free credits, charges reach the bonus lots (and their refunds) far more often.
  it("keeps the bonus lots whole: none negative, each expires once, refunds by the rule", async () => {
    // Long runs: a lot is granted, spent, refunded and expired within one.
    await property(0, lotCommands, "max");
  });

  it("keeps the month's use: budgets stop charges first, refunds give this month's back, requests stay under 20%", async () => {
    await property(FREE, budgetCommands, "max", name === "memory" ? 100 : 15, 80);
  });

  it("never lets concurrent charges past any budget or the balance, nor stops one that fits", async () => {
    const cap = fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.record({ account: cap, repository: cap, author: cap, pullRequestRuns: cap }),
        fc.boolean(),
        async (n, balance, caps, withAuthor) => {
          const store = await create();
          const { ledger } = makeLedger(store, new TestClock(), 0);
          const id = newAccountId();
          if (balance > 0) await ledger.grant(id, purchase("buy", balance));
          // One pull request, its repository and author spelled two ways: every cap applies
          // (the author's only when there is one).
          const results = await Promise.all(
            Array.from({ length: n }, (_, i) =>
              ledger.charge(id, {
                action: "review",
                description: "Review of acme/api#9",
                reference: {
                  kind: "pull_request",
                  repository: i % 2 ? "Acme/API" : "acme/api",
                  number: 9,
                  ...(withAuthor ? { author: i % 3 ? "bob" : "BOB" } : {}),
                },
                idempotencyKey: `c${i}`,
                limits: caps,
              }),
            ),
          );
          const applicable: [BudgetKind, number | undefined][] = [
            ["account", caps.account],
            ["repository", caps.repository],
            ["author", withAuthor ? caps.author : undefined],
            ["pull_request_runs", caps.pullRequestRuns],
          ];
          const limit = Math.min(
            balance,
            ...applicable.flatMap(([, c]) => (c === undefined ? [] : [c])),
          );
          const expected = Math.min(n, limit);
          const created = results.filter((r) => r.status === "created");
          expect(created).toHaveLength(expected);
          // Every refusal saw all `expected` charges: the first budget at its cap, else the balance.
          const binding = applicable.find(([, c]) => c === expected);
          const refusal: ChargeResult = binding
            ? {
                status: "over_budget",
                budget: binding[0],
                cap: expected,
                used: expected,
                cost: 1,
              }
            : { status: "insufficient", balance: balance - expected, cost: 1 };
          for (const r of results) if (r.status !== "created") expect(r).toEqual(refusal);
          const row = (key: string): [string, number, number][] =>
            expected === 0 ? [] : [[key, expected, expected]];
          const runs = await ledger.pullRequestRuns(id);
          expect(realUse(await ledger.monthUse(id), runs)).toEqual({
            period: "2026-11",
            charged: expected,
            requestedRefunds: 0,
            account: expected,
            repositories: row("acme/api"),
            names: expected === 0 ? [] : [["acme/api", null]],
            authors: withAuthor ? row("bob") : [],
            pulls: expected === 0 ? [] : [["acme/api#9", 0, expected]],
          });
          expect((await ledger.summary(id)).balance).toBe(balance - expected);
          expect((await verifyLedger(store.ledger)).problems).toEqual([]);
        },
      ),
      { numRuns: propertyRuns(name === "memory" ? 40 : 10) },
    );
  });
});
