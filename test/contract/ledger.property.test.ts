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

/** What the ledger should hold, computed the simplest way there is. */
interface Model {
  buckets: BucketAmounts;
  period: string | null;
  grants: Set<string>;
  charges: Map<string, BucketAmounts>;
  refunded: Set<string>;
}
interface Real {
  ledger: Ledger;
  store: Store;
  clock: TestClock;
  id: AccountId;
}
type Cmd = fc.AsyncCommand<Model, Real>;

/** The lazy monthly reset, as the model sees it. */
function roll(m: Model, r: Real): void {
  const now = periodOf(r.clock.now());
  if (m.period !== null && m.period >= now) return;
  m.buckets.free = FREE;
  m.period = now;
}

const total = (b: BucketAmounts) => b.free + b.bonus + b.purchased;

class Grant implements Cmd {
  constructor(
    readonly type: "purchase" | "bonus",
    readonly amount: number,
    readonly key: string,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const res = await r.ledger.grant(r.id, {
      type: this.type,
      amount: this.amount,
      description: "grant",
      idempotencyKey: `${this.type}-${this.key}`,
    });
    const key = `${this.type}-${this.key}`;
    // A replayed key returns before anything else happens, the month roll included.
    if (m.grants.has(key)) return void expect(res.status).toBe("replayed");
    roll(m, r);
    expect(res.status).toBe("created");
    m.buckets[this.type === "bonus" ? "bonus" : "purchased"] += this.amount;
    m.grants.add(key);
  }
  toString = () => `grant(${this.type}, ${this.amount}, ${this.key})`;
}

class Charge implements Cmd {
  constructor(readonly key: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const res = await r.ledger.charge(r.id, reviewCharge(this.key));
    if (m.charges.has(this.key)) return void expect(res.status).toBe("replayed");
    roll(m, r);
    if (total(m.buckets) === 0) return void expect(res.status).toBe("insufficient");
    expect(res.status).toBe("created");
    const bucket = BUCKETS.find((b) => m.buckets[b] > 0)!;
    m.buckets[bucket] -= 1;
    m.charges.set(this.key, { free: 0, bonus: 0, purchased: 0, [bucket]: -1 });
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
    roll(m, r);
    expect(res.status).toBe("created");
    for (const b of BUCKETS) m.buckets[b] -= taken[b];
    m.refunded.add(this.key);
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

const key = fc.integer({ min: 0, max: 7 }).map(String);
const commands = [
  fc
    .tuple(
      fc.constantFrom("purchase" as const, "bonus" as const),
      fc.integer({ min: 1, max: 4 }),
      key,
    )
    .map(([t, a, k]) => new Grant(t, a, k)),
  key.map((k) => new Charge(k)),
  key.map((k) => new Charge(k)),
  key.map((k) => new Refund(k)),
  fc.integer({ min: 1, max: 28 }).map((d) => new NextMonth(d)),
];

const factories = storeFactories();
// Closes the stores each test opened, and drops their test databases.
afterEach(() => Promise.all(factories.map((factory) => factory.cleanup())));

describe.each(factories)("ledger properties on the $name store", ({ name, create }) => {
  it("keeps balance == sum of entries >= 0, one entry per key, one refund per charge", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
        const store = await create();
        const clock = new TestClock();
        const real: Real = { ...makeLedger(store, clock, FREE), store, clock, id: newAccountId() };
        const model: Model = {
          buckets: { free: 0, bonus: 0, purchased: 0 },
          period: null,
          grants: new Set(),
          charges: new Map(),
          refunded: new Set(),
        };
        await fc.asyncModelRun(() => ({ model, real }), cmds);

        const entries = await store.ledger.list(real.id, { limit: 1000 });
        const balance = entries[0]?.balanceAfter ?? 0;
        expect(balance).toBe(entries.reduce((sum, e) => sum + e.amount, 0));
        expect(entries.every((e) => e.balanceAfter >= 0)).toBe(true);
        expect(new Set(entries.map((e) => e.idempotencyKey)).size).toBe(entries.length);
        const refundOf = entries.flatMap((e) => (e.refundOf ? [e.refundOf] : []));
        expect(new Set(refundOf).size).toBe(refundOf.length);
        // Reading the balance rolls the month too, in both.
        roll(model, real);
        expect((await real.ledger.summary(real.id)).buckets).toEqual(model.buckets);
        expect((await verifyLedger(store.ledger)).problems).toEqual([]);
      }),
      { numRuns: name === "memory" ? 200 : 25 },
    );
  });
});
