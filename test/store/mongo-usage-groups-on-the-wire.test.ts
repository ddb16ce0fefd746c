import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import { usageReport } from "../../src/usage/usage-report.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * Usage by repository or author and each pull request's runs, as the mongo store asks for
 * them (caught by the wire stub, which checks nothing itself): one aggregation that groups the
 * month's charges and refunds on the server, never a stream of the month's entries.
 */
const { Long } = mongoose.mongo;
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_usage_groups";
const account = toAccountId(41);

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);
const reply = (docs: object[]) => ({
  cursor: { id: Long.fromNumber(0), ns: `${DB}.ledger_entries`, firstBatch: docs },
  ok: 1,
});

const is = (type: string, then: unknown, otherwise: unknown) => ({
  $cond: [{ $eq: ["$type", type] }, then, otherwise],
});
const TALLIES = {
  firstSeq: { $min: "$seq" },
  usageCount: { $sum: is("usage", 1, 0) },
  usageAmount: { $sum: is("usage", "$amount", 0) },
  usageLastSeq: { $max: is("usage", "$seq", 0) },
  refundCount: { $sum: is("refund", 1, 0) },
  refundAmount: { $sum: is("refund", "$amount", 0) },
  refundLastSeq: { $max: is("refund", "$seq", 0) },
};

describe("usage groups on the wire", () => {
  it("the usage report is one aggregation over the month, answered a group at a time", async () => {
    const group = (
      key: object,
      usage: [number, number, number],
      refund: [number, number, number],
      firstSeq: number,
    ) => ({
      _id: key,
      firstSeq,
      usageCount: usage[0],
      usageAmount: usage[1],
      usageLastSeq: usage[2],
      refundCount: refund[0],
      refundAmount: refund[1],
      refundLastSeq: refund[2],
    });
    // As the server would group them: a repository under two names (renamed), one charged by
    // name only, and a charge without a reference (no field in the key at all).
    stub.answerNext(
      "aggregate",
      reply([
        group(
          {
            kind: "pull_request",
            repository: "acme/site",
            repositoryId: 2,
          },
          [3, -3, 90],
          [0, 0, 0],
          50,
        ),
        group(
          {
            kind: "pull_request",
            repository: "acme/web",
            repositoryId: 2,
          },
          [5, -5, 40],
          [1, 1, 41],
          2,
        ),
        group({ kind: "pull_request", repository: "Acme/Old" }, [2, -2, 30], [0, 0, 0], 3),
        group({}, [1, -1, 1], [0, 0, 0], 1),
      ]),
    );
    let report: Awaited<ReturnType<typeof usageReport>> | undefined;
    const [aggregate, ...rest] = await sent(async () => {
      report = await usageReport(store.ledger, account, "2026-11", "repository");
    });
    expect(rest).toEqual([]);
    expect(aggregate).toMatchObject({
      name: "aggregate",
      command: { aggregate: "ledger_entries" },
    });
    expect(aggregate!.command.pipeline).toEqual([
      {
        $match: {
          accountId: 41,
          type: { $in: ["usage", "refund"] },
          createdAt: {
            $gte: new Date("2026-11-01T00:00:00Z"),
            $lt: new Date("2026-12-01T00:00:00Z"),
          },
        },
      },
      {
        // By repository: its name and id only, so a group per name the month charged.
        $group: {
          _id: {
            kind: "$reference.kind",
            repository: "$reference.repository",
            repositoryId: "$reference.repositoryId",
          },
          ...TALLIES,
        },
      },
    ]);
    expect(report!.rows).toEqual([
      { key: "unknown", reviews: 1, charged: 1, refunds: 0, refunded: 0, net: 1 },
      { key: "acme/site", reviews: 8, charged: 8, refunds: 1, refunded: 1, net: 7 },
      { key: "Acme/Old", reviews: 2, charged: 2, refunds: 0, refunded: 0, net: 2 },
    ]);
    expect(report!.total).toEqual({ reviews: 11, charged: 11, refunds: 1, refunded: 1, net: 10 });
  });

  it("the runs of each pull request are counted on the server: charge ids less those refunded", async () => {
    const since = new Date("2026-11-01T00:00:00Z");
    stub.answerNext(
      "aggregate",
      reply([
        {
          _id: { kind: "pull_request", repository: "acme/api", repositoryId: 1, number: 3 },
          firstSeq: 5,
          usageCount: 4,
          usageAmount: -4,
          usageLastSeq: 9,
          refundCount: 1,
          refundAmount: 1,
          refundLastSeq: 8,
          runs: 3,
        },
      ]),
    );
    let groups: Awaited<ReturnType<Store["ledger"]["usageGroups"]>> = [];
    const [aggregate] = await sent(async () => {
      groups = await store.ledger.usageGroups(account, {
        from: since,
        by: "pull_request",
        runs: true,
      });
    });
    expect(aggregate!.command.pipeline).toEqual([
      {
        $match: { accountId: 41, type: { $in: ["usage", "refund"] }, createdAt: { $gte: since } },
      },
      {
        $group: {
          _id: {
            kind: "$reference.kind",
            repository: "$reference.repository",
            repositoryId: "$reference.repositoryId",
            number: "$reference.number",
          },
          ...TALLIES,
          charges: { $addToSet: is("usage", { $toString: "$_id" }, "$$REMOVE") },
          refunded: { $addToSet: is("refund", "$refundOf", "$$REMOVE") },
        },
      },
      {
        $set: {
          runs: {
            $subtract: [
              { $size: "$charges" },
              { $size: { $setIntersection: ["$charges", "$refunded"] } },
            ],
          },
        },
      },
      { $unset: ["charges", "refunded"] },
    ]);
    expect(groups).toEqual([
      {
        reference: { kind: "pull_request", repository: "acme/api", repositoryId: 1, number: 3 },
        firstSeq: 5,
        usage: { count: 4, amount: -4, lastSeq: 9 },
        refund: { count: 1, amount: 1, lastSeq: 8 },
        runs: 3,
      },
    ]);
  });
});
