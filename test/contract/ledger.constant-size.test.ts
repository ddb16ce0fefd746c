import { afterEach, describe, expect, it } from "@jest/globals";
import { monthUseView } from "../../src/ledger/entry-use.js";
import type { ChargeInput } from "../../src/ledger/inputs.js";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import type { ChargeLimits } from "../../src/ledger/month-use.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { AccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/** A small seeded random source, so a failing run can be told apart and repeated. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const REPOSITORIES = [
  { repository: "acme/api", repositoryId: 11 },
  { repository: "Acme/API", repositoryId: 11 },
  { repository: "acme/api-v2", repositoryId: 11 },
  { repository: "acme/web", repositoryId: 12 },
  { repository: "acme/api" },
  { repository: "Acme/Web" },
];
const AUTHORS = [undefined, "bob", "Bob", "alice"];

type Op =
  | { kind: "charge"; key: string; input: ChargeInput }
  | { kind: "refund"; key: string; requested: boolean }
  | { kind: "clock"; iso: string };

/** Charges, refunds and the clock moving within and across months, from a seed. */
function operations(seed: number, n: number): Op[] {
  const next = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const ops: Op[] = [];
  let day = 10;
  let month = 10;
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.65) {
      const repository = pick(REPOSITORIES);
      const author = pick(AUTHORS);
      const cap = () => (next() < 0.5 ? undefined : Math.floor(next() * 8));
      const limits: ChargeLimits = Object.fromEntries(
        Object.entries({
          account: cap(),
          repository: cap(),
          author: cap(),
          pullRequestRuns: repository.repositoryId ? cap() : undefined,
          warnAtPercent: next() < 0.5 ? undefined : 1 + Math.floor(next() * 100),
        }).filter(([, v]) => v !== undefined),
      );
      const number = 1 + Math.floor(next() * 3);
      const key = `c${Math.floor(next() * 30)}`;
      ops.push({
        kind: "charge",
        key,
        input: {
          action: "review",
          description: `Review of ${repository.repository}#${number}`,
          reference: {
            kind: "pull_request",
            ...repository,
            number,
            ...(author ? { author } : {}),
          },
          idempotencyKey: key,
          limits,
        },
      });
    } else if (r < 0.9) {
      ops.push({ kind: "refund", key: `c${Math.floor(next() * 30)}`, requested: next() < 0.5 });
    } else {
      if (next() < 0.3) month++;
      else day = Math.min(28, day + 1);
      ops.push({ kind: "clock", iso: new Date(Date.UTC(2026, month, day, 12)).toISOString() });
    }
  }
  return ops;
}

const REQUEST = { userId: 7, login: "bob", reason: "the review was wrong" };

async function apply(ledger: Ledger, clock: TestClock, id: AccountId, op: Op): Promise<unknown> {
  if (op.kind === "clock") return clock.set(op.iso);
  if (op.kind === "charge") {
    const r = await ledger.charge(id, op.input);
    return "entry" in r ? { status: r.status, warnings: r.warnings } : r;
  }
  const r = await ledger.refund(id, {
    chargeKey: op.key,
    ...(op.requested ? { request: REQUEST } : {}),
  });
  return "entry" in r ? { status: r.status } : r;
}

describe.each(storeFactories())(
  "constant-size ledger entries on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function funded(store: Store, clock: TestClock, id: AccountId) {
      const { ledger } = makeLedger(store, clock, 0);
      await ledger.grant(id, purchase("buy", 1000));
      return ledger;
    }

    it("an entry carries the totals and only the counters it changed, however many the month has", async () => {
      const store = await create();
      const clock = new TestClock();
      const id = newAccountId();
      const ledger = await funded(store, clock, id);
      for (let i = 0; i < 60; i++) {
        await ledger.charge(id, {
          action: "review",
          description: "r",
          reference: {
            kind: "pull_request",
            repository: `acme/r${i % 30}`,
            repositoryId: 500 + (i % 30),
            number: i + 1,
            author: `dev${i % 40}`,
          },
          idempotencyKey: `k${i}`,
          limits: { repository: 100, author: 100, warnAtPercent: 1 },
        });
      }
      const newest = (await store.ledger.latest(id))!;
      expect(newest.monthUse).toEqual({
        period: "2026-11",
        charged: 60,
        requestedRefunds: 0,
        account: 60,
        repositories: [{ key: "529", name: "acme/r29", credits: 2, runs: 2 }],
        authors: [{ key: "dev19", credits: 2, runs: 2 }],
        warned: [],
        from: 1,
        fromSnapshot: false,
      });
      const use = await ledger.monthUse(id);
      expect(use.repositories).toHaveLength(30);
      expect(use.authors).toHaveLength(40);
      expect(use.warned).toHaveLength(70);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("builds on whole-month entries written before the upgrade: same decisions, same month use, verified", async () => {
      for (let seed = 1; seed <= 12; seed++) {
        const ops = operations(seed, 90);
        const cut = 45;
        // `now`: constant-size from the start. `upgraded`: the first half rewritten as an
        // older release wrote it, every entry holding the whole month, then the same second half.
        const [now, upgraded] = [await create(), await create()];
        const id = newAccountId();
        const clocks = [new TestClock(), new TestClock()];
        const ledgers = [
          await funded(now, clocks[0]!, id),
          makeLedger(upgraded, clocks[1]!, 0).ledger,
        ];
        for (const op of ops.slice(0, cut)) await apply(ledgers[0]!, clocks[0]!, id, op);
        // Ids are the store's: a refund names its charge by the id the copy got.
        const ids = new Map<string, string>();
        for await (const e of now.ledger.stream(id, "asc")) {
          const monthUse = e.monthUse && (await monthUseView(now.ledger, id, e, e.createdAt));
          const { id: was, ...entry } = e;
          const refundOf = e.refundOf && ids.get(e.refundOf)!;
          const copied = await upgraded.ledger.append({ ...entry, refundOf, monthUse });
          if (!copied.ok) throw new Error(`copy of ${e.seq}: ${copied.conflict}`);
          ids.set(was, copied.entry.id);
        }
        clocks[1]!.set(clocks[0]!.now().toISOString());
        for (const op of ops.slice(cut)) {
          const a = await apply(ledgers[0]!, clocks[0]!, id, op);
          const b = await apply(ledgers[1]!, clocks[1]!, id, op);
          expect([seed, op, b]).toEqual([seed, op, a]);
          expect(await ledgers[1]!.monthUse(id)).toEqual(await ledgers[0]!.monthUse(id));
        }
        expect((await verifyLedger(now.ledger)).problems).toEqual([]);
        expect((await verifyLedger(upgraded.ledger)).problems).toEqual([]);
      }
    });

    it("ledger:verify finds a constant-size entry whose counter or start does not add up", async () => {
      const store = await create();
      const clock = new TestClock();
      const id = newAccountId();
      const ledger = await funded(store, clock, id);
      const pr = (number: number) => ({
        kind: "pull_request" as const,
        repository: "acme/api",
        repositoryId: 11,
        number,
      });
      const c = await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: pr(1),
        idempotencyKey: "c1",
      });
      if (!("entry" in c)) throw new Error("charge refused");
      const prev = c.entry;
      const next = (seq: number, over: object) => ({
        ...prev,
        seq,
        idempotencyKey: `planted-${seq}`,
        amount: 0,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: 0 },
        reference: pr(seq),
        ...over,
      });
      // A charge of nothing that says the repository's counter is back to zero.
      await store.ledger.append(
        next(prev.seq + 1, {
          type: "adjustment",
          monthUse: {
            ...prev.monthUse!,
            repositories: [{ key: "11", name: "acme/api", credits: 0, runs: 0 }],
          },
        }),
      );
      // One that counts the month from somewhere else.
      await store.ledger.append(
        next(prev.seq + 2, {
          type: "adjustment",
          monthUse: { ...prev.monthUse!, repositories: [], from: 2 },
        }),
      );
      const problems = (await verifyLedger(store.ledger)).problems.map((p) => [p.seq, p.problem]);
      expect(problems).toEqual([
        [prev.seq + 1, expect.stringMatching(/month use is not what/)],
        [prev.seq + 2, expect.stringMatching(/counts from seq 2, the entries give 1/)],
      ]);
    });

    const pullOf = (number: number, repositoryId = 11, author = "bob") => ({
      kind: "pull_request" as const,
      repository: repositoryId === 11 ? "acme/api" : "acme/web",
      repositoryId,
      number,
      author,
    });

    it("a warning taken back that no fold took back is not believed (the budget warns once) and ledger:verify reports it", async () => {
      const store = await create();
      const id = newAccountId();
      const ledger = await funded(store, new TestClock(), id);
      const limits = { account: 10, warnAtPercent: 10 };
      const c = await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: pullOf(1),
        idempotencyKey: "c1",
        limits,
      });
      if (!("entry" in c)) throw new Error("refused");
      expect(c.warnings.map((w) => w.id)).toEqual(["account"]);
      const prev = c.entry;
      // Planted: an entry of nothing that takes the account's warning back.
      await store.ledger.append({
        ...prev,
        seq: prev.seq + 1,
        type: "adjustment",
        idempotencyKey: "planted",
        amount: 0,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: 0 },
        reference: null,
        monthUse: {
          ...prev.monthUse!,
          repositories: [],
          authors: [],
          warned: [],
          unwarned: ["account"],
        },
      });
      const again = await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: pullOf(2),
        idempotencyKey: "c2",
        limits,
      });
      if (!("entry" in again)) throw new Error("refused");
      expect(again.warnings).toEqual([]);
      expect((await ledger.monthUse(id)).warned).toEqual(["account"]);
      const problems = (await verifyLedger(store.ledger)).problems.map((p) => [p.seq, p.problem]);
      expect(problems).toEqual([
        [prev.seq + 1, "its month use takes back warnings no fold took back: account"],
      ]);
    });

    it("the month's totals are read from the newest entry, not from the month's entries", async () => {
      const store = await create();
      const clock = new TestClock();
      const id = newAccountId();
      const ledger = await funded(store, clock, id);
      for (let n = 1; n <= 200; n++) {
        await ledger.charge(id, {
          action: "review",
          description: "r",
          reference: pullOf(n, 11 + (n % 3), `a${n % 5}`),
          idempotencyKey: `c${n}`,
        });
      }
      let read = 0;
      const counting: LedgerStore = Object.create(store.ledger);
      counting.useSince = async function* (accountId, from) {
        for await (const r of store.ledger.useSince(accountId, from)) {
          read++;
          yield r;
        }
      };
      counting.stream = async function* (accountId, order, filter) {
        for await (const e of store.ledger.stream(accountId, order, filter)) {
          read++;
          yield e;
        }
      };
      const viewer = new Ledger({ store: counting, now: () => clock.now(), freePerMonth: 0 });
      expect(await viewer.monthTotals(id)).toEqual({
        period: "2026-11",
        charged: 200,
        requestedRefunds: 0,
        account: 200,
      });
      expect(read).toBe(0);
      // The whole view still assembles the month (GET /budgets, repository or author budgets).
      expect((await viewer.monthUse(id)).authors).toHaveLength(5);
      expect(read).toBeGreaterThan(200);
    });

    it("concurrent charges never overspend a repository or an author budget, and warn once", async () => {
      for (const budget of ["repository", "author"] as const) {
        const store = await create();
        const id = newAccountId();
        const ledger = await funded(store, new TestClock(), id);
        const rs = await Promise.all(
          Array.from({ length: 12 }, (_, n) =>
            ledger.charge(id, {
              action: "review",
              description: "r",
              reference:
                budget === "repository" ? pullOf(n + 1, 11, `u${n}`) : pullOf(n + 1, 11 + n, "bob"),
              idempotencyKey: `k${n}`,
              limits: { [budget]: 3, warnAtPercent: 50 },
            }),
          ),
        );
        expect(rs.filter((r) => r.status === "created")).toHaveLength(3);
        const warned = rs.flatMap((r) => ("warnings" in r ? r.warnings : []));
        expect(warned.filter((w) => w.budget === budget)).toHaveLength(1);
      }
    });

    it("a charge stamped 23:59:59.999 after a whole-month snapshot stamped just after midnight reads the snapshot's counters", async () => {
      const store = await create();
      const clock = new TestClock();
      const id = newAccountId();
      const ledger = await funded(store, clock, id);
      clock.set("2026-12-01T00:00:00.100Z");
      for (let n = 1; n <= 2; n++) {
        await ledger.charge(id, {
          action: "review",
          description: "r",
          reference: pullOf(n),
          idempotencyKey: `c${n}`,
        });
      }
      // The newest entry rewritten as a whole-month snapshot (as the previous release wrote it).
      const prev = (await store.ledger.latest(id))!;
      const whole = await monthUseView(store.ledger, id, prev, prev.createdAt);
      const copy = await create();
      for await (const e of store.ledger.stream(id, "asc")) {
        const rest: Omit<typeof e, "id"> & { id?: string } = { ...e };
        delete rest.id;
        await copy.ledger.append(e.seq === prev.seq ? { ...rest, monthUse: whole } : rest);
      }
      const behind = new Ledger({
        store: copy.ledger,
        now: () => new Date("2026-11-30T23:59:59.999Z"),
        freePerMonth: 0,
      });
      const r = await behind.charge(id, {
        action: "review",
        description: "r",
        reference: pullOf(3),
        idempotencyKey: "c3",
        limits: { repository: 2 },
      });
      expect(r.status).toBe("over_budget");
    });
  },
);
