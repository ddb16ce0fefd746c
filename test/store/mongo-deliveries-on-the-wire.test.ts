import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The inbox's commands as the real driver sends them, caught by the wire stub (no MongoDB
 * here): the unique index on the delivery id, the sweep's partial index and the week's TTL,
 * conditional updates from `received` only, and operators that survive sanitizeFilter.
 */
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_deliveries";
const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

describe("the mongo delivery inbox on the wire", () => {
  it("the migration builds the unique delivery id, the sweep's index and the TTL", async () => {
    const indexes = stub.received
      .filter((r) => r.db === DB && r.name === "createIndexes")
      .filter((r) => r.command.createIndexes === "inbox_deliveries")
      .flatMap((r) => r.command.indexes as object[]);
    expect(indexes).toContainEqual({ key: { deliveryId: 1 }, name: "deliveryId_1", unique: true });
    expect(indexes).toContainEqual(
      expect.objectContaining({
        key: { receivedAt: 1, deliveryId: 1 },
        partialFilterExpression: { status: "received" },
      }),
    );
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { finishedAt: 1 }, expireAfterSeconds: 7 * 24 * 3600 }),
    );
  });

  it("records with one insert, received, the payload kept as sent", async () => {
    const payload = { action: "opened", pull_request: { labels: [], head: {} } };
    const [insert, ...rest] = await sent(() =>
      store.deliveries.record({
        id: "d-1",
        name: "pull_request",
        payload,
        receivedAt: new Date("2026-12-06T12:00:00Z"),
      }),
    );
    expect(rest).toEqual([]);
    expect(insert).toMatchObject({ name: "insert", command: { insert: "inbox_deliveries" } });
    expect((insert!.command.documents as object[])[0]).toMatchObject({
      deliveryId: "d-1",
      status: "received",
      attempts: 0,
      // Empty objects stay (minimize: false): the handler reads the payload as GitHub sent it.
      payload,
    });
  });

  it("starts an attempt and finishes only from received", async () => {
    // The stub knows no findAndModify: answered as MongoDB answers a match of nothing.
    stub.answerNext("findAndModify", { value: null, ok: 1 });
    const [start] = await sent(() => store.deliveries.startAttempt("d-1"));
    expect(start).toMatchObject({
      name: "findAndModify",
      command: {
        query: { deliveryId: "d-1", status: "received" },
        update: { $inc: { attempts: 1 } },
      },
    });
    const at = new Date("2026-12-06T12:01:00Z");
    const [finish] = await sent(() => store.deliveries.finish("d-1", "processed", at));
    expect((finish!.command.updates as object[])[0]).toMatchObject({
      q: { deliveryId: "d-1", status: "received" },
      u: { $set: { status: "processed", finishedAt: at, error: null } },
    });
  });

  it("reopens only a failed delivery, in one conditional update", async () => {
    let reopened: boolean | undefined;
    const [update, ...rest] = await sent(async () => {
      reopened = await store.deliveries.reopen("d-1");
    });
    expect(rest).toEqual([]);
    expect((update!.command.updates as object[])[0]).toMatchObject({
      q: { deliveryId: "d-1", status: "failed" },
      u: { $set: { status: "received", finishedAt: null, error: null } },
    });
    // The stub matches nothing: not failed, nothing reopened.
    expect(reopened).toBe(false);
  });

  it("pages the sweep's list and asks for recorded ids with their operators intact", async () => {
    const before = new Date("2026-12-06T12:10:00Z");
    const after = { id: "d-5", receivedAt: new Date("2026-12-06T12:05:00Z") };
    const [find] = await sent(() => store.deliveries.listUnprocessed(before, 50, after));
    expect(find!.command).toMatchObject({
      filter: {
        status: "received",
        receivedAt: { $lt: before },
        $or: [
          { receivedAt: { $gt: after.receivedAt } },
          { receivedAt: after.receivedAt, deliveryId: { $gt: "d-5" } },
        ],
      },
      sort: { receivedAt: 1, deliveryId: 1 },
      limit: 50,
    });
    const [ids] = await sent(() => store.deliveries.recordedDeliveries(["a", "b"]));
    expect(ids!.command.filter).toEqual({ deliveryId: { $in: ["a", "b"] } });
  });
});
