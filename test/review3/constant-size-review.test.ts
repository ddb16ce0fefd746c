import { describe, expect, it } from "@jest/globals";
import { carriedMonthUse, countCharge, useKeysOf } from "../../src/ledger/month-use.js";
import type { EntryUse } from "../../src/ledger/entry-use.js";
import type { LedgerStore, UseRecord } from "../../src/ledger/ledger-store.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";

const pr = (number: number, repositoryId = 11, author = "bob") => ({
  kind: "pull_request" as const,
  repository: repositoryId === 11 ? "acme/api" : "acme/web",
  repositoryId,
  number,
  author,
});

async function funded() {
  const store = createMemoryStore();
  const clock = new TestClock();
  const id = newAccountId();
  const { ledger } = makeLedger(store, clock, 0);
  await ledger.grant(id, purchase("buy", 1000));
  return { store, clock, id, ledger };
}

describe("review3: constant-size ledger entries", () => {
  it("review3: a charge written by the previous release after constant-size entries (mixed-version deploy or rollback) does not make the next charge forget the repository budget", async () => {
    const { store, clock, id, ledger } = await funded();
    for (let n = 1; n <= 3; n++) {
      const r = await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: pr(n),
        idempotencyKey: `c${n}`,
        limits: { repository: 3 },
      });
      expect(r.status).toBe("created");
    }
    // A charge of another repository and author: its entry carries only their counters.
    await ledger.charge(id, {
      action: "review",
      description: "r",
      reference: pr(7, 12, "carol"),
      idempotencyKey: "c7",
    });
    // The previous release's write path (still in month-use.ts): carriedMonthUse(prev) is the
    // newest entry's monthUse taken as the whole month, its charge counted on it, and its
    // mongoose schema (strict) drops from / fromSnapshot / unwarned.
    const prev = (await store.ledger.latest(id))!;
    const now = clock.now();
    const carried = carriedMonthUse(prev, now)! as EntryUse;
    delete carried.from;
    delete carried.fromSnapshot;
    delete carried.unwarned;
    const old = countCharge(carried, useKeysOf(pr(9, 12, "alice")), 1, 1);
    const appended = await store.ledger.append({
      ...prev,
      seq: prev.seq + 1,
      idempotencyKey: "old-release-charge",
      reference: pr(9, 12, "alice"),
      amount: -1,
      deltas: { free: 0, bonus: 0, purchased: -1 },
      bucketsAfter: { ...prev.bucketsAfter, purchased: prev.bucketsAfter.purchased - 1 },
      balanceAfter: prev.balanceAfter - 1,
      monthUse: old,
      createdAt: now,
    });
    expect(appended.ok).toBe(true);
    // acme/api used 3 of its 3 credits this month: a fourth charge must stop.
    const fourth = await ledger.charge(id, {
      action: "review",
      description: "r",
      reference: pr(4),
      idempotencyKey: "c4",
      limits: { repository: 3 },
    });
    expect(fourth.status).toBe("over_budget");
  });

  it("review3: ledger:verify finds a constant-size entry that takes back a warning no fold took back (unwarned)", async () => {
    const { store, id, ledger } = await funded();
    const limits = { account: 10, warnAtPercent: 10 };
    const c = await ledger.charge(id, {
      action: "review",
      description: "r",
      reference: pr(1),
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
      deltas: { free: 0, bonus: 0, purchased: 0 },
      reference: null,
      monthUse: {
        ...prev.monthUse!,
        repositories: [],
        authors: [],
        warned: [],
        unwarned: ["account"],
      },
    });
    // Consequence: the account budget warns a second time this month.
    const again = await ledger.charge(id, {
      action: "review",
      description: "r",
      reference: pr(2),
      idempotencyKey: "c2",
      limits,
    });
    if (!("entry" in again)) throw new Error("refused");
    const problems = (await verifyLedger(store.ledger)).problems.map((p) => p.seq);
    expect({ warnedAgain: again.warnings.map((w) => w.id), problems }).toEqual({
      warnedAgain: [],
      problems: [prev.seq + 1],
    });
  });

  it("review3: reading the month's use for GET /billing or GET /budgets does not read every entry of the month", async () => {
    const { store, id, ledger } = await funded();
    for (let n = 1; n <= 200; n++) {
      await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: pr(n, 11 + (n % 3), `a${n % 5}`),
        idempotencyKey: `c${n}`,
      });
    }
    let read = 0;
    const counting: LedgerStore = Object.create(store.ledger);
    counting.useSince = async function* (accountId, from) {
      for await (const r of store.ledger.useSince(accountId, from) as AsyncIterable<UseRecord>) {
        read++;
        yield r;
      }
    };
    const viewer = new Ledger({ store: counting, now: () => new Date("2026-11-10T12:00:00Z") });
    const use = await viewer.monthUse(id);
    expect(use.charged).toBe(200);
    expect(read).toBeLessThanOrEqual(50);
  });

  it("review3 (holds): concurrent charges never overspend a repository or an author budget", async () => {
    for (const budget of ["repository", "author"] as const) {
      const { id, ledger } = await funded();
      const rs = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          ledger.charge(id, {
            action: "review",
            description: "r",
            reference: budget === "repository" ? pr(n + 1, 11, `u${n}`) : pr(n + 1, 11 + n, "bob"),
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

  it("review3 (holds): a charge stamped 23:59:59.999 after a whole-month snapshot stamped just after midnight reads the snapshot's counters", async () => {
    const { store, clock, id, ledger } = await funded();
    clock.set("2026-12-01T00:00:00.100Z");
    for (let n = 1; n <= 2; n++) {
      await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: pr(n),
        idempotencyKey: `c${n}`,
      });
    }
    // Make the newest entry a whole-month snapshot (as the previous release wrote it).
    const { monthUseView } = await import("../../src/ledger/entry-use.js");
    const prev = (await store.ledger.latest(id))!;
    const whole = await monthUseView(store.ledger, id, prev, prev.createdAt);
    const copy = createMemoryStore();
    for await (const e of store.ledger.stream(id, "asc")) {
      const { id: _drop, ...rest } = e;
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
      reference: pr(3),
      idempotencyKey: "c3",
      limits: { repository: 2 },
    });
    expect(r.status).toBe("over_budget");
  });
});
