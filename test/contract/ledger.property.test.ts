import { afterEach, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import type { Ledger } from "../../src/ledger/ledger.js";
import { periodOf } from "../../src/ledger/periods.js";
import { BUCKETS, type BucketAmounts } from "../../src/ledger/types.js";
import type { AccountId } from "../../src/accounts/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { Store } from "../../src/store/store.js";
import { makeLedger, newAccountId, reviewCharge, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const FREE = 3;

/** A bonus lot as the model sees it: its id is the seq of the entry that created it. */
interface ModelLot {
  id: number;
  expiresAt: number | null;
  remaining: number;
}
type LotChange = { lot: number; amount: number };

/** What the ledger should hold, computed the simplest way there is. */
interface Model {
  buckets: BucketAmounts;
  period: string | null;
  grants: Set<string>;
  charges: Map<string, { buckets: BucketAmounts; lots: LotChange[] }>;
  refunded: Set<string>;
  /** Live lots: with an expiry until it passes (even empty), without one while not empty. */
  lots: ModelLot[];
  /** The lots that expired holding credits, in order. */
  expired: number[];
  /** Free credits a month. */
  free: number;
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

class Charge implements Cmd {
  constructor(readonly key: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const res = await r.ledger.charge(r.id, reviewCharge(this.key));
    if (m.charges.has(this.key)) return void expect(res.status).toBe("replayed");
    settle(m, r);
    if (total(m.buckets) === 0) return void expect(res.status).toBe("insufficient");
    expect(res.status).toBe("created");
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
    m.charges.set(this.key, { buckets: { free: 0, bonus: 0, purchased: 0, [bucket]: -1 }, lots });
  }
  toString = () => `charge(${this.key})`;
}

class Refund implements Cmd {
  constructor(readonly key: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const res = await r.ledger.refund(r.id, { chargeKey: this.key });
    const taken = m.charges.get(this.key);
    if (!taken) return void expect(res.status).toBe("charge_not_found");
    if (m.refunded.has(this.key)) return void expect(res.status).toBe("replayed");
    settle(m, r);
    expect(res.status).toBe("created");
    if (!("entry" in res)) throw new Error("no entry");
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
  toString = () => `refund(${this.key})`;
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

const factories = storeFactories();
// Closes the stores each test opened, and drops their test databases.
afterEach(() => Promise.all(factories.map((factory) => factory.cleanup())));

describe.each(factories)("ledger properties on the $name store", ({ name, create }) => {
  const property = (free: number, cmdList: typeof commands, size?: fc.SizeForArbitrary) =>
    fc.assert(
      fc.asyncProperty(fc.commands(cmdList, { maxCommands: 40, size }), async (cmds) => {
        const store = await create();
        const clock = new TestClock();
        const real: Real = { ...makeLedger(store, clock, free), store, clock, id: newAccountId() };
        const model: Model = {
          buckets: { free: 0, bonus: 0, purchased: 0 },
          period: null,
          grants: new Set(),
          charges: new Map(),
          refunded: new Set(),
          lots: [],
          expired: [],
          free,
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
      }),
      { numRuns: name === "memory" ? 200 : 25 },
    );

  it("keeps balance == sum of entries >= 0, one entry per key, one refund per charge", async () => {
    await property(FREE, commands);
  });

  // Without free credits, charges reach the bonus lots (and their refunds) far more often.
  it("keeps the bonus lots whole: none negative, each expires once, refunds by the rule", async () => {
    // Long runs: a lot is granted, spent, refunded and expired within one.
    await property(0, lotCommands, "max");
  });
});
