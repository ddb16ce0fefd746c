import { afterEach, describe, expect, it } from "@jest/globals";
import { InvalidInputError } from "../../src/shared/errors.js";
import { encodeCursor, listEntries } from "../../src/ledger/list-entries.js";
import { makeLedger, newAccountId, purchase, reviewCharge } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/** The error a listEntries call was refused with (fails the test when it was not refused). */
async function refusal(promise: Promise<unknown>): Promise<InvalidInputError> {
  const error = await promise.then(
    () => new Error("not refused"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

const cursorOf = (json: string) => Buffer.from(json).toString("base64url");

/**
 * The history page (listEntries): pages of exactly the size asked for end where the history
 * does, filters hold across pages, and a cursor that is not one listEntries handed out is
 * refused with an error naming the cursor.
 */
describe.each(storeFactories())("listing entries on the $name store", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("a last page of exactly the page size has no next cursor", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 20));
    for (let i = 1; i <= 6; i++) await ledger.charge(id, reviewCharge(`c${i}`, i));
    const keys = (page: { entries: { idempotencyKey: string }[] }) =>
      page.entries.map((e) => e.idempotencyKey);

    const first = await listEntries(store.ledger, id, { types: ["usage"], limit: 3 });
    expect(keys(first)).toEqual(["c6", "c5", "c4"]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listEntries(store.ledger, id, {
      types: ["usage"],
      limit: 3,
      cursor: first.nextCursor!,
    });
    expect(keys(second)).toEqual(["c3", "c2", "c1"]);
    expect(second.nextCursor).toBeNull();

    // The whole history (the month's free tier, the purchase, six charges) on one page of its
    // size: no further page either.
    const whole = await listEntries(store.ledger, id, { limit: 8 });
    expect(keys(whole)).toEqual(["c6", "c5", "c4", "c3", "c2", "c1", "p", "free-tier:2026-11"]);
    expect(whole.nextCursor).toBeNull();
    // One fewer: the oldest entry is on a next page, and only it.
    const short = await listEntries(store.ledger, id, { limit: 7 });
    expect(short.nextCursor).toEqual(expect.any(String));
    const rest = await listEntries(store.ledger, id, { limit: 7, cursor: short.nextCursor! });
    expect(keys(rest)).toEqual(["free-tier:2026-11"]);
    expect(rest.nextCursor).toBeNull();
  });

  it("pages a date window and a type filter together, the cursor continuing below the last entry shown", async () => {
    const store = await create();
    const { ledger, clock } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    clock.set("2026-10-20T12:00:00Z");
    await ledger.grant(id, purchase("p", 30));
    await ledger.charge(id, reviewCharge("oct", 1));
    for (let day = 1; day <= 5; day++) {
      clock.set(`2026-11-0${day}T12:00:00Z`);
      await ledger.charge(id, reviewCharge(`nov-${day}`, day));
      await ledger.grant(id, {
        type: "bonus",
        amount: 1,
        description: "b",
        idempotencyKey: `b${day}`,
      });
    }
    clock.set("2026-12-01T12:00:00Z");
    await ledger.charge(id, reviewCharge("dec", 9));

    const query = {
      types: ["usage" as const],
      from: new Date("2026-11-02T00:00:00Z"),
      to: new Date("2026-11-05T00:00:00Z"),
      limit: 2,
    };
    const first = await listEntries(store.ledger, id, query);
    expect(first.entries.map((e) => e.idempotencyKey)).toEqual(["nov-4", "nov-3"]);
    const second = await listEntries(store.ledger, id, { ...query, cursor: first.nextCursor! });
    expect(second.entries.map((e) => e.idempotencyKey)).toEqual(["nov-2"]);
    expect(second.nextCursor).toBeNull();

    // A cursor is the seq of the last entry shown: the next page starts just below it.
    const below = await listEntries(store.ledger, id, {
      cursor: encodeCursor(first.entries[0]!.seq),
      limit: 1,
    });
    expect(below.entries.map((e) => e.idempotencyKey)).toEqual(["b3"]);
  });

  it("a cursor at seq 1 is the end of the history, seq 2 leaves the first entry", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 5));
    await ledger.charge(id, reviewCharge("c1", 1));

    expect(await listEntries(store.ledger, id, { cursor: encodeCursor(1) })).toEqual({
      entries: [],
      nextCursor: null,
    });
    const last = await listEntries(store.ledger, id, { cursor: encodeCursor(2) });
    expect(last.entries.map((e) => [e.seq, e.idempotencyKey])).toEqual([[1, "free-tier:2026-11"]]);
    expect(last.nextCursor).toBeNull();
  });

  it("refuses a cursor it did not hand out as malformed, naming the cursor", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 5));
    for (const cursor of [
      "not-a-cursor",
      cursorOf("[1"),
      cursorOf("null"),
      cursorOf('{"seq":3}'),
      cursorOf('{"v":2,"seq":3}'),
      cursorOf('{"v":"1","seq":3}'),
      cursorOf('{"v":1,"seq":"3"}'),
      cursorOf('{"v":1,"seq":1.5}'),
      cursorOf(`{"v":1,"seq":${2 ** 53}}`),
      cursorOf('{"v":1}'),
    ]) {
      const error = await refusal(listEntries(store.ledger, id, { cursor }));
      expect([cursor, error.message, error.issues]).toEqual([
        cursor,
        "cursor: malformed",
        [{ path: "cursor", message: "malformed" }],
      ]);
    }
  });

  it("refuses a well-formed cursor below seq 1 as out of range", async () => {
    const store = await create();
    const id = newAccountId();
    for (const seq of [0, -1, -1000]) {
      const error = await refusal(listEntries(store.ledger, id, { cursor: encodeCursor(seq) }));
      expect([seq, error.message, error.issues]).toEqual([
        seq,
        "cursor: out of range",
        [{ path: "cursor", message: "out of range" }],
      ]);
    }
    expect(await store.ledger.latest(id)).toBeNull();
  });
});
