import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import { FINAL_STATUSES } from "../../src/reviews/types.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The reads that must stay bounded, as the mongo store sends them (caught by the wire stub,
 * which checks nothing itself): what they filter on, in which order, how many, and which
 * fields they ask for.
 */
const { Long } = mongoose.mongo;
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_reads";
const account = toAccountId(41);

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);

describe("bounded reads on the wire", () => {
  it("runs whose refund is due are read a page at a time, past the previous page", async () => {
    const built = stub.received.filter((r) => r.db === DB && r.name === "createIndexes");
    expect(built.flatMap((r) => r.command.indexes as object[])).toContainEqual({
      key: { updatedAt: 1, accountId: 1, runKey: 1 },
      name: "refund_due_paged",
      partialFilterExpression: { refundDue: true },
    });
    const updatedAt = new Date("2026-11-20T10:00:00Z");
    const after = { updatedAt, accountId: account, runKey: "41:7:3:0" };
    const [first, next] = await sent(async () => {
      await store.runs.listRefundDue(100);
      await store.runs.listRefundDue(100, account, after);
    });
    const filter = {
      refundDue: true,
      status: { $in: [...FINAL_STATUSES] },
    };
    expect(first).toMatchObject({
      name: "find",
      command: {
        find: "review_runs",
        filter,
        sort: { updatedAt: 1, accountId: 1, runKey: 1 },
        limit: 100,
      },
    });
    expect(next!.command).toMatchObject({
      filter: {
        ...filter,
        accountId: 41,
        $or: [
          { updatedAt: { $gt: updatedAt } },
          { updatedAt, accountId: { $gt: 41 } },
          { updatedAt, accountId: 41, runKey: { $gt: "41:7:3:0" } },
        ],
      },
      sort: { updatedAt: 1, accountId: 1, runKey: 1 },
      limit: 100,
    });
  });

  it("a run's check run id and its post attempt are one write each, scoped by account", async () => {
    const at = new Date("2026-11-20T10:00:00Z");
    const [keep, mark] = await sent(async () => {
      await store.runs.setCheckRun(account, "501:12:abc:0", 7_001);
      // The stub does not answer findAndModify: what matters is what was sent.
      await store.runs
        .transition(account, "501:12:abc:0", ["queued"], "queued", { postAttemptedAt: at })
        .catch(() => null);
    });
    expect(keep).toMatchObject({
      name: "update",
      command: {
        update: "review_runs",
        updates: [
          { q: { accountId: 41, runKey: "501:12:abc:0" }, u: { $set: { checkRunId: 7_001 } } },
        ],
      },
    });
    expect(mark).toMatchObject({
      name: "findAndModify",
      command: {
        query: { accountId: 41, runKey: "501:12:abc:0", status: { $in: ["queued"] } },
        update: { $set: { status: "queued", postAttemptedAt: at } },
      },
    });
  });

  it("the accounts with entries are walked one index key at a time, no $group, no open cursor", async () => {
    const batch = (docs: object[]) => ({
      cursor: { id: Long.fromNumber(0), ns: `${DB}.ledger_entries`, firstBatch: docs },
      ok: 1,
    });
    stub.answerNext("find", batch([{ accountId: 3 }]));
    stub.answerNext("find", batch([{ accountId: 8 }]));
    const ids: number[] = [];
    const commands = await sent(async () => {
      for await (const id of store.ledger.accountIds()) ids.push(id);
    });
    expect(ids).toEqual([3, 8]);
    expect(commands.map((r) => r.name)).toEqual(["find", "find", "find"]);
    const shape = {
      sort: { accountId: 1, seq: -1 },
      projection: { _id: 0, accountId: 1 },
      limit: 1,
    };
    expect(commands[0]!.command).toMatchObject({ find: "ledger_entries", filter: {}, ...shape });
    expect(commands[1]!.command).toMatchObject({ filter: { accountId: { $gt: 3 } }, ...shape });
    expect(commands[2]!.command).toMatchObject({ filter: { accountId: { $gt: 8 } }, ...shape });
  });

  it("history pages and exports read rows: no month use, no lot changes, only the granted lot", async () => {
    const [whole, page, streamed] = await sent(async () => {
      await store.ledger.list(account, { limit: 26 });
      await store.ledger.listRows(account, { limit: 26 });
      for await (const row of store.ledger.streamRows(account, "desc")) void row;
    });
    expect(whole!.command.projection).toBeUndefined();
    const projection = {
      accountId: 1,
      seq: 1,
      type: 1,
      amount: 1,
      deltas: 1,
      bucketsAfter: 1,
      balanceAfter: 1,
      freePeriod: 1,
      description: 1,
      reference: 1,
      idempotencyKey: 1,
      refundOf: 1,
      uncollected: 1,
      refundRequest: 1,
      planExpiresAt: 1,
      // The running net spend: two numbers, whatever the month holds.
      spent: 1,
      createdAt: 1,
      lotsAfter: { $filter: { input: "$lotsAfter", cond: { $eq: ["$$this.lot", "$seq"] } } },
    };
    expect(page).toMatchObject({
      name: "find",
      command: { filter: { accountId: 41 }, sort: { seq: -1 }, limit: 26, projection },
    });
    expect(page!.command.projection).toEqual(projection);
    expect(streamed!.command).toMatchObject({ sort: { seq: -1 }, limit: 500, projection });

    // Single-entry lookups that ask whether, not what a next entry is built from: rows too.
    const chargeId = new mongoose.Types.ObjectId().toHexString();
    const [byKey, refund, wholeByKey] = await sent(async () => {
      await store.ledger.rowByKey(account, "review:41:7");
      await store.ledger.refundRowOf(account, chargeId);
      await store.ledger.findByKey(account, "review:41:7");
    });
    expect(byKey!.command).toMatchObject({
      filter: { accountId: 41, idempotencyKey: "review:41:7" },
      limit: 1,
      readConcern: { level: "majority" },
    });
    expect(byKey!.command.projection).toEqual(projection);
    expect(refund!.command).toMatchObject({
      filter: { accountId: 41, refundOf: { $eq: chargeId, $type: "string" } },
      limit: 1,
    });
    expect(refund!.command.projection).toEqual(projection);
    expect(wholeByKey!.command.projection).toBeUndefined();
  });
});
