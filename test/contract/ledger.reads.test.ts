import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { parse } from "csv-parse/sync";
import { InvalidInputError } from "../../src/shared/errors.js";
import { entriesToCsv } from "../../src/ledger/export-csv.js";
import { encodeCursor, listEntries } from "../../src/ledger/list-entries.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, purchase, reviewCharge } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const readAll = async (stream: NodeJS.ReadableStream): Promise<string> => {
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text;
};

describe.each(storeFactories())("ledger reads on the $name store", ({ create, cleanup }) => {
  // Closes the stores each test opened, and drops their test databases.
  afterEach(cleanup);
  it("pages through history newest first with a cursor and filters", async () => {
    const store = await create();
    const { ledger, clock } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 20));
    for (let i = 1; i <= 7; i++) await ledger.charge(id, reviewCharge(`c${i}`, i));
    clock.set("2026-12-03T00:00:00Z");
    await ledger.charge(id, reviewCharge("dec", 99));

    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await listEntries(store.ledger, id, { types: ["usage"], limit: 3, cursor });
      seen.push(
        ...page.entries.map((e) => (e.reference?.kind === "pull_request" ? e.reference.number : 0)),
      );
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([99, 7, 6, 5, 4, 3, 2, 1]);

    const december = await listEntries(store.ledger, id, {
      from: new Date("2026-12-01T00:00:00Z"),
      limit: 100,
    });
    // November's free credits were all spent, so there is nothing to expire.
    expect(december.entries.map((e) => e.type)).toEqual(["usage", "free_tier"]);
    expect(december.nextCursor).toBeNull();
    expect((await listEntries(store.ledger, id, {})).entries).toHaveLength(11);
  });

  it("a key's row and a charge's refund row are the entries' rows, or null", async () => {
    const store = await create();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 20));
    await ledger.charge(id, reviewCharge("c1", 1));
    await ledger.charge(id, reviewCharge("c2", 2));
    await ledger.refund(id, { chargeKey: "c1" });
    const charge = (await store.ledger.findByKey(id, "c1"))!;
    const row = await store.ledger.rowByKey(id, "c1");
    const fields = ["id", "seq", "type", "amount", "deltas", "reference", "refundOf"] as const;
    const pick = (e: object | null) =>
      e && Object.fromEntries(fields.map((f) => [f, (e as Record<string, unknown>)[f]]));
    expect(pick(row)).toEqual(pick(charge));
    const refund = await store.ledger.refundRowOf(id, charge.id);
    expect(pick(refund)).toEqual(pick(await store.ledger.findRefundOf(id, charge.id)));
    expect(refund).toMatchObject({ type: "refund", refundOf: charge.id, amount: 1 });
    expect(await ledger.refundOfCharge(id, "c1")).toMatchObject({ id: refund!.id });
    expect(await ledger.refundOfCharge(id, "c2")).toBeNull();
    expect(await store.ledger.rowByKey(id, "nothing")).toBeNull();
    expect(await store.ledger.rowByKey(newAccountId(), "c1")).toBeNull();
  });

  it("rows are the entries without their month use and lot changes, with the lot they granted", async () => {
    const store = await create();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 20));
    for (let i = 1; i <= 3; i++) {
      await ledger.grant(id, {
        type: "bonus",
        amount: 5,
        description: "bonus",
        idempotencyKey: `b${i}`,
        expiresAt: new Date(`2027-0${i}-01T00:00:00Z`),
      });
    }
    await ledger.charge(id, reviewCharge("c1", 1));
    const whole = await store.ledger.list(id, { limit: 100 });
    const rowOf = (e: (typeof whole)[number]) => {
      const rest: Partial<typeof e> = { ...e };
      delete rest.monthUse;
      delete rest.lotDeltas;
      return { ...rest, lotsAfter: e.lotsAfter?.filter((l) => l.lot === e.seq) };
    };
    const rows = await store.ledger.listRows(id, { limit: 100 });
    const streamed: typeof rows = [];
    for await (const r of store.ledger.streamRows(id, "desc")) streamed.push(r);
    for (const got of [rows, streamed]) {
      expect(got).toHaveLength(whole.length);
      got.forEach((row, i) => {
        const expected = rowOf(whole[i]!);
        // Every field of the entry; of its lots, at least the one it granted.
        // (The memory store hands out whole entries, which are rows too.)
        expect({
          ...row,
          lotsAfter: row.lotsAfter?.filter((l) => l.lot === row.seq),
        }).toMatchObject(expected);
      });
    }
    // The history page shows each bonus's expiry from its row.
    const page = await listEntries(store.ledger, id, { types: ["bonus"], limit: 10 });
    expect(page.entries.map((e) => e.lotsAfter?.find((l) => l.lot === e.seq)?.expiresAt)).toEqual(
      ["2027-03-01", "2027-02-01", "2027-01-01"].map((d) => new Date(`${d}T00:00:00Z`)),
    );
  });

  it("rejects malformed cursors and out-of-range pages without touching anything", async () => {
    const store = await create();
    const id = newAccountId();
    for (const query of [
      { cursor: "not-a-cursor" },
      { cursor: Buffer.from('{"v":1,"seq":"1"}').toString("base64url") },
      { cursor: encodeCursor(0) },
      { limit: 0 },
      { limit: 101 },
      { limit: 2.5 },
      { types: ["gift"] },
      { types: { $ne: "usage" } },
      { extra: true },
    ]) {
      await expect(listEntries(store.ledger, id, query as never)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    }
    expect(await store.ledger.latest(id)).toBeNull();
  });

  it("exports the whole history as CSV, newest first, with PR links and no formulas", async () => {
    const store = await create();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, {
      ...purchase("p", 100),
      reference: {
        kind: "stripe",
        checkoutSession: "cs_test_1",
        receiptUrl: "https://pay.stripe.com/receipts/r1",
      },
    });
    await ledger.charge(id, { ...reviewCharge("c1", 42), description: "=HYPERLINK(evil)" });

    const rows = parse(await readAll(entriesToCsv(store.ledger.stream(id, "desc"))), {
      columns: true,
    }) as Record<string, string>[];
    expect(rows.map((r) => r.type)).toEqual(["usage", "purchase", "free_tier"]);
    expect(rows[0]).toMatchObject({
      amount: "-1",
      free: "-1",
      balance_after: "102",
      description: "'=HYPERLINK(evil)",
      repository: "acme/widgets",
      pull_request: "42",
      pull_request_url: "https://github.com/acme/widgets/pull/42",
    });
    expect(rows[1]).toMatchObject({
      stripe_checkout_session: "cs_test_1",
      receipt_url: "https://pay.stripe.com/receipts/r1",
    });
  });

  it("pages through the Ledger as listEntries does, cursor and filters included", async () => {
    const store = await create();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 20));
    for (let i = 1; i <= 5; i++) await ledger.charge(id, reviewCharge(`c${i}`, i));

    const first = await ledger.list(id, { types: ["usage"], limit: 2 });
    expect(first).toEqual(await listEntries(store.ledger, id, { types: ["usage"], limit: 2 }));
    expect(first.entries.map((e) => e.idempotencyKey)).toEqual(["c5", "c4"]);
    const next = await ledger.list(id, { types: ["usage"], limit: 2, cursor: first.nextCursor! });
    expect(next.entries.map((e) => e.idempotencyKey)).toEqual(["c3", "c2"]);
    // The default page size, 25, holds the whole history.
    expect((await ledger.list(id, {})).entries).toHaveLength(7);
    await expect(ledger.list(id, { cursor: "nope" })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("exports through the Ledger: newest first, filtered by the store", async () => {
    const store = await create();
    const { ledger, clock } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 20));
    for (let i = 1; i <= 3; i++) await ledger.charge(id, reviewCharge(`nov-${i}`, i));
    clock.set("2026-12-02T00:00:00Z");
    await ledger.charge(id, reviewCharge("dec-1", 4));
    const rows = async (filter?: Parameters<typeof ledger.export>[1]) =>
      (
        parse(await readAll(ledger.export(id, filter)), { columns: true }) as Record<
          string,
          string
        >[]
      ).map((r) => `${r.type} ${r.pull_request}`.trim());

    // Everything, as the raw stream gives it: December's free tier came with its charge.
    expect(await rows()).toEqual([
      "usage 4",
      "free_tier",
      "usage 3",
      "usage 2",
      "usage 1",
      "purchase",
      "free_tier",
    ]);
    expect(await rows({ types: ["usage"] })).toEqual(["usage 4", "usage 3", "usage 2", "usage 1"]);
    const december = new Date("2026-12-01T00:00:00Z");
    expect(await rows({ from: december })).toEqual(["usage 4", "free_tier"]);
    expect(await rows({ types: ["free_tier", "purchase"], to: december })).toEqual([
      "purchase",
      "free_tier",
    ]);
    // Only the header when nothing matches.
    expect(await rows({ types: ["refund"] })).toEqual([]);

    // The filter reaches the store, which does the filtering.
    const stream = jest.spyOn(store.ledger, "stream");
    await rows({ types: ["usage"], from: december });
    expect(stream.mock.calls).toEqual([[id, "desc", { types: ["usage"], from: december }]]);
    stream.mockRestore();
  });

  it("refuses a bad export filter at once, before any stream exists", async () => {
    const store = await create();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    for (const filter of [
      { types: ["gift"] },
      { types: { $ne: "usage" } },
      { from: "2026-11-01" },
      { cursor: "abc" },
      { limit: 10 },
    ]) {
      expect(() => ledger.export(id, filter as never)).toThrow(InvalidInputError);
    }
    expect(() => ledger.export(-1 as never)).toThrow(InvalidInputError);
    expect(await store.ledger.latest(id)).toBeNull();
  });

  it("verifies a clean ledger and finds planted mismatches", async () => {
    const store = await create();
    const { ledger } = makeLedger(store);
    const good = newAccountId();
    await ledger.grant(good, purchase("p", 10));
    await ledger.charge(good, reviewCharge("c1"));
    await ledger.refund(good, { chargeKey: "c1" });
    const clean = await verifyLedger(store.ledger);
    expect(clean.problems).toEqual([]);
    expect(clean.entries).toBeGreaterThanOrEqual(4);

    // Written straight into the store, as a bug or a hand edit in the database would.
    const bad = newAccountId();
    await store.ledger.append(rawEntry(bad, 1));
    await store.ledger.append(rawEntry(bad, 2, { balanceAfter: 5 }));
    await store.ledger.append(rawEntry(bad, 4));
    const report = await verifyLedger(store.ledger);
    const problems = report.problems.filter((p) => p.accountId === bad);
    expect(problems.map((p) => [p.seq, p.problem])).toEqual([
      [2, "balance_after is 5, the sum of entries up to it is 2"],
      [2, "balance_after 5 is not the sum of its buckets"],
      [4, "seq is 4, expected 3"],
      [4, "bonus after is 4, the entries before give 3"],
      [4, "balance_after is 4, the sum of entries up to it is 3"],
    ]);
    expect(report.problems.filter((p) => p.accountId === good)).toEqual([]);
  });

  it("flags a refund that does not match its charge", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 5));
    const charge = await ledger.charge(id, reviewCharge("c1"));
    if (!("entry" in charge)) throw new Error("charge failed");
    const after = charge.entry.bucketsAfter;
    await store.ledger.append(
      rawEntry(id, 4, {
        type: "refund",
        amount: 2,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: 2 },
        bucketsAfter: { ...after, purchased: after.purchased + 2 },
        balanceAfter: charge.entry.balanceAfter + 2,
        refundOf: charge.entry.id,
      }),
    );
    const { problems } = await verifyLedger(store.ledger);
    expect(problems.filter((p) => p.accountId === id).map((p) => p.problem)).toEqual([
      "refund does not give back exactly what the charge took",
    ]);
  });
});
