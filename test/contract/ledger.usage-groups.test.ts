import { afterEach, describe, expect, it } from "@jest/globals";
import type { ChargeInput } from "../../src/ledger/inputs.js";
import type { UsageGroup } from "../../src/ledger/usage-groups.js";
import { makeLedger, newAccountId, purchase } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const charge = (key: string, reference?: ChargeInput["reference"]): ChargeInput => ({
  action: "review",
  description: `charge ${key}`,
  idempotencyKey: key,
  ...(reference ? { reference } : {}),
});

const pr = (number: number, author: string, repositoryId?: number) => ({
  kind: "pull_request" as const,
  repository: repositoryId === undefined ? "acme/legacy" : "acme/widgets",
  ...(repositoryId === undefined ? {} : { repositoryId }),
  number,
  author,
});

/** The groups in the order their entries began (the readers' order). */
const ordered = (groups: UsageGroup[]) => [...groups].sort((a, b) => a.firstSeq - b.firstSeq);

/**
 * The month's charges and refunds grouped by the store (LedgerStore.usageGroups), what usage
 * by repository and author and the runs of each pull request are read from: one group per
 * key of the grouping, its charges and refunds counted and added up, keyed by the fields the
 * entries have and no others.
 */
describe.each(storeFactories())("usage groups on the $name store", ({ create, cleanup }) => {
  afterEach(cleanup);

  /**
   * October: one charge (outside the window). November: alice charges #1 and #2, bob #3, a
   * charge without a reference, an operator's charge; #1 is refunded; a purchase (not usage).
   */
  async function seed() {
    const store = await create();
    const { ledger, clock } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    const seqOf = async (key: string, input: ChargeInput) => {
      const r = await ledger.charge(id, input);
      if (!("entry" in r)) throw new Error(`charge ${key}: ${r.status}`);
      return r.entry.seq;
    };
    clock.set("2026-10-20T12:00:00Z");
    await ledger.grant(id, purchase("p", 50));
    const oct = await seqOf("oct", charge("oct", pr(9, "alice", 7)));
    clock.set("2026-11-03T12:00:00Z");
    const seqs = {
      oct,
      a1: await seqOf("a1", charge("a1", pr(1, "alice", 7))),
      a2: await seqOf("a2", charge("a2", pr(2, "alice", 7))),
      b3: await seqOf("b3", charge("b3", pr(3, "bob"))),
      none: await seqOf("none", charge("none")),
      op: await seqOf("op", charge("op", { kind: "operator", actor: "ops" })),
      refund: 0,
    };
    const refund = await ledger.refund(id, { chargeKey: "a1" });
    if (!("entry" in refund)) throw new Error("refund failed");
    seqs.refund = refund.entry.seq;
    await ledger.grant(id, purchase("p2", 5));
    return { store, id, seqs, from: new Date("2026-11-01T00:00:00Z") };
  }

  it("groups the window's charges and refunds by author, with their counts, amounts and seqs", async () => {
    const { store, id, seqs, from } = await seed();
    const groups = ordered(await store.ledger.usageGroups(id, { from, by: "author" }));
    expect(groups).toStrictEqual([
      {
        reference: { kind: "pull_request", author: "alice" },
        firstSeq: seqs.a1,
        usage: { count: 2, amount: -2, lastSeq: seqs.a2 },
        refund: { count: 1, amount: 1, lastSeq: seqs.refund },
        runs: 0,
      },
      {
        reference: { kind: "pull_request", author: "bob" },
        firstSeq: seqs.b3,
        usage: { count: 1, amount: -1, lastSeq: seqs.b3 },
        refund: { count: 0, amount: 0, lastSeq: 0 },
        runs: 0,
      },
      {
        reference: null,
        firstSeq: seqs.none,
        usage: { count: 1, amount: -1, lastSeq: seqs.none },
        refund: { count: 0, amount: 0, lastSeq: 0 },
        runs: 0,
      },
      {
        reference: { kind: "operator" },
        firstSeq: seqs.op,
        usage: { count: 1, amount: -1, lastSeq: seqs.op },
        refund: { count: 0, amount: 0, lastSeq: 0 },
        runs: 0,
      },
    ]);
  });

  it("keys a group by the grouping's fields the entries have, an absent one left out", async () => {
    const { store, id, seqs, from } = await seed();
    const byRepository = ordered(await store.ledger.usageGroups(id, { from, by: "repository" }));
    expect(byRepository.map((g) => g.reference)).toStrictEqual([
      { kind: "pull_request", repository: "acme/widgets", repositoryId: 7 },
      // Charged before repository ids were kept: no repositoryId, not an empty one.
      { kind: "pull_request", repository: "acme/legacy" },
      null,
      { kind: "operator" },
    ]);
    expect(byRepository[0]).toMatchObject({
      firstSeq: seqs.a1,
      usage: { count: 2, amount: -2 },
      refund: { count: 1, amount: 1 },
    });
    // The window's end leaves out what comes at or after it.
    const before = await store.ledger.usageGroups(id, {
      from: new Date("2026-10-01T00:00:00Z"),
      to: from,
      by: "repository",
    });
    expect(before).toStrictEqual([
      {
        reference: { kind: "pull_request", repository: "acme/widgets", repositoryId: 7 },
        firstSeq: seqs.oct,
        usage: { count: 1, amount: -1, lastSeq: seqs.oct },
        refund: { count: 0, amount: 0, lastSeq: 0 },
        runs: 0,
      },
    ]);
  });

  it("counts each pull request's charges that no refund gives back, when asked", async () => {
    const { store, id, seqs, from } = await seed();
    const groups = ordered(
      await store.ledger.usageGroups(id, { from, by: "pull_request", runs: true }),
    );
    expect(groups.map((g) => [g.reference, g.firstSeq, g.runs])).toStrictEqual([
      [
        { kind: "pull_request", repository: "acme/widgets", repositoryId: 7, number: 1 },
        seqs.a1,
        0,
      ],
      [
        { kind: "pull_request", repository: "acme/widgets", repositoryId: 7, number: 2 },
        seqs.a2,
        1,
      ],
      [{ kind: "pull_request", repository: "acme/legacy", number: 3 }, seqs.b3, 1],
      [null, seqs.none, 1],
      [{ kind: "operator" }, seqs.op, 1],
    ]);
  });
});
