import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { decodeAuditCursor } from "../../src/audit/audit-log.js";
import { createMongoStore } from "../../src/store/mongo/connect-mongo.js";
import { migrateMongo } from "../../src/store/mongo/migrate-mongo.js";
import { WRITE_TIME_LIMIT_MS } from "../../src/store/mongo/mongo-connection.js";
import { MongoWireStub } from "../support/mongo-wire-stub.js";

/**
 * The audit store's commands as the real driver sends them, caught by the wire stub (no
 * MongoDB here): the insert, and a filtered, paged find that survives sanitizeFilter with
 * its operators intact. It checks what is asked, not how a server answers.
 */
let stub: MongoWireStub;
beforeAll(async () => {
  stub = await MongoWireStub.start();
});
afterAll(() => stub.stop());

describe("the mongo audit store on the wire", () => {
  it("inserts an entry and asks for a filtered page newest first", async () => {
    const db = "jasper_audit";
    await migrateMongo(stub.uri(db), () => {});
    const store = await createMongoStore(stub.uri(db), "app", () => {});
    try {
      const from = stub.received.length;
      const { created, entry } = await store.audit.append({
        accountId: toAccountId(101),
        at: new Date("2026-11-10T12:00:00Z"),
        actor: { kind: "operator", name: "alice" },
        action: "grant",
        interface: "cli",
        details: {},
        idempotencyKey: "ledger:e-1",
      });
      expect(created).toBe(true);
      expect(entry.details).toEqual({});
      const before = decodeAuditCursor(
        Buffer.from(
          JSON.stringify({ v: 1, at: Date.parse("2026-11-09T00:00:00Z"), id: entry.id }),
        ).toString("base64url"),
      );
      await store.audit.list(toAccountId(101), {
        actions: ["grant", "adjustment"],
        from: new Date("2026-11-01T00:00:00Z"),
        before,
        limit: 26,
      });
      const sent = stub.received.slice(from).filter((r) => r.db === db);
      const insert = sent.find((r) => r.name === "insert")!;
      expect(insert.command.insert).toBe("audit_entries");
      // minimize: false keeps the empty details; the write waits for a majority.
      expect((insert.command.documents as Record<string, unknown>[])[0]).toMatchObject({
        accountId: 101,
        actor: { kind: "operator", name: "alice" },
        details: {},
        idempotencyKey: "ledger:e-1",
      });
      expect(insert.command.writeConcern).toEqual({ w: "majority", wtimeout: WRITE_TIME_LIMIT_MS });

      const find = sent.find((r) => r.name === "find")!;
      expect(find.command.find).toBe("audit_entries");
      expect(find.command.filter).toEqual({
        accountId: 101,
        action: { $in: ["grant", "adjustment"] },
        at: { $gte: new Date("2026-11-01T00:00:00Z") },
        $or: [{ at: { $lt: before.at } }, { at: before.at, _id: { $lt: expect.anything() } }],
      });
      expect(find.command.sort).toEqual({ at: -1, _id: -1 });
      expect(find.command.limit).toBe(26);
    } finally {
      await store.close();
    }
  });
});
