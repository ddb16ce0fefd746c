import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { createMongoStore } from "../../src/store/mongo/connect-mongo.js";
import { migrateMongo } from "../../src/store/mongo/migrate-mongo.js";
import { declaredIndexes } from "../../src/store/mongo/index-check.js";
import { MissingIndexesError } from "../../src/store/mongo/missing-indexes-error.js";
import { WRITE_TIME_LIMIT_MS } from "../../src/store/mongo/mongo-connection.js";
import { rawEntry } from "../support/entries.js";
import { storeModels } from "../support/mongo-models.js";
import { MongoWireStub, type Received } from "../support/mongo-wire-stub.js";

/**
 * What the real driver sends when the store opens, migrates, writes and reads, caught by a
 * wire-protocol stub instead of a MongoDB (test/support/mongo-wire-stub.ts: it keeps index
 * specs and documents, and checks nothing). So this checks the commands and their concerns
 * as they leave the process, not how a server would take them.
 */
let stub: MongoWireStub;
beforeAll(async () => {
  stub = await MongoWireStub.start();
});
afterAll(() => stub.stop());

/** The commands sent to `db` while `run` ran. */
async function sentTo(db: string, run: () => Promise<unknown>): Promise<Received[]> {
  const from = stub.received.length;
  await run();
  const chatter = new Set(["ismaster", "isMaster", "hello", "endSessions"]);
  return stub.received.slice(from).filter((r) => r.db === db && !chatter.has(r.name));
}

const names = (sent: Received[]) => [...new Set(sent.map((r) => r.name))].sort();
const WRITES = ["create", "createIndexes", "insert", "update", "delete", "findAndModify", "drop"];

describe("the mongo store on the wire", () => {
  it("an app process refuses a database never migrated, having only listed indexes", async () => {
    const warn = jest.fn();
    let error: unknown;
    const sent = await sentTo("jasper_fresh", async () => {
      error = await createMongoStore(stub.uri("jasper_fresh"), "app", warn).catch((e) => e);
    });
    expect(error).toBeInstanceOf(MissingIndexesError);
    expect((error as MissingIndexesError).missing).toHaveLength(20);
    expect(names(sent)).toEqual(["listIndexes"]);
    expect(sent).toHaveLength(14);
  });

  it("ledger:verify opens the same database read-only: a warning, and reads only", async () => {
    const warnings: string[] = [];
    const sent = await sentTo("jasper_fresh", async () => {
      const store = await createMongoStore(stub.uri("jasper_fresh"), "read-only", (m) =>
        warnings.push(m),
      );
      expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
      await store.close();
    });
    expect(warnings[0]).toContain("missing unique indexes");
    expect(names(sent)).toEqual(["find", "listIndexes"]);
    expect(sent.filter((r) => WRITES.includes(r.name))).toEqual([]);
  });

  it("the migration creates every collection and index, acknowledged at majority", async () => {
    const lines: string[] = [];
    const sent = await sentTo("jasper_migrated", () =>
      migrateMongo(stub.uri("jasper_migrated"), (line) => lines.push(line)),
    );
    const creates = sent.filter((r) => r.name === "create").map((r) => r.command.create);
    expect(creates.sort()).toEqual([
      "accounts",
      "api_keys",
      "audit_entries",
      "auto_top_ups",
      "checkout_sessions",
      "inbox_deliveries",
      "invoices",
      "learnings",
      "ledger_entries",
      "pull_requests",
      "review_runs",
      "stripe_customers",
      "subscriptions",
      "top_up_attempts",
    ]);
    const builds = sent.filter((r) => r.name === "createIndexes");
    // One createIndex per declared index of every model.
    const declared = [...storeModels().models.values()].flatMap((m) => declaredIndexes(m));
    expect(builds).toHaveLength(declared.length);
    const specs = builds.flatMap((r) => r.command.indexes as { key: object }[]);
    // Fields in the declared order: (accountId, type, seq) is not (accountId, seq, type).
    expect(specs.map((spec) => Object.keys(spec.key).join())).toContain("accountId,type,seq");
    for (const r of [...builds, ...sent.filter((r) => r.name === "create")]) {
      expect(r.command.writeConcern).toEqual({ w: "majority", wtimeout: WRITE_TIME_LIMIT_MS });
    }
    // Index specs go out as the schemas declare them, partial filter included.
    expect(specs).toContainEqual({
      key: { accountId: 1, refundOf: 1 },
      name: "accountId_1_refundOf_1",
      unique: true,
      partialFilterExpression: { refundOf: { $type: "string" } },
    });
    // Descending fields stay descending: listPaused's sort is read off this index.
    expect(specs).toContainEqual(
      expect.objectContaining({ key: { accountId: 1, status: 1, updatedAt: -1, runKey: -1 } }),
    );
    expect(names(sent)).toEqual(["create", "createIndexes", "listIndexes"]);
    expect(lines.at(-1)).toBe("done: 14 collections, every declared index built");

    const again: string[] = [];
    await migrateMongo(stub.uri("jasper_migrated"), (line) => again.push(line));
    expect(again).toContain("ledger_entries: every declared index was already there");
  });

  it("then an app process opens, writes at majority and reads what it decides on at majority", async () => {
    const warn = jest.fn();
    const store = await createMongoStore(stub.uri("jasper_migrated"), "app", warn);
    expect(warn).not.toHaveBeenCalled();
    const account = toAccountId(7);
    const sent = await sentTo("jasper_migrated", async () => {
      expect((await store.ledger.append(rawEntry(account, 1))).ok).toBe(true);
      await store.ledger.latest(account);
      await store.ledger.findByKey(account, "key-1");
      await store.ledger.findById(account, "0123456789abcdef01234567");
    });
    const [insert, listing, latest, byKey, byId] = sent;
    expect(insert).toMatchObject({ name: "insert", command: { writeConcern: { w: "majority" } } });
    // The account's listing copy follows each append (ledger-with-listing.ts), at majority too.
    expect(listing).toMatchObject({
      name: "update",
      command: { update: "accounts", writeConcern: { w: "majority" } },
    });
    expect(latest).toMatchObject({
      name: "find",
      command: { sort: { seq: -1 }, limit: 1, readConcern: { level: "majority" } },
    });
    expect(byKey).toMatchObject({ name: "find", command: { readConcern: { level: "majority" } } });
    expect(byId?.command.readConcern).toBeUndefined();
    // listPaused: its range survives sanitizeFilter (trusted), its sort is the index's order.
    const since = new Date("2026-11-01T00:00:00Z");
    const [paused] = await sentTo("jasper_migrated", () =>
      store.runs.listPaused(account, since, 50),
    );
    expect(paused).toMatchObject({
      name: "find",
      command: {
        find: "review_runs",
        filter: { accountId: 7, status: "paused", updatedAt: { $gte: since } },
        sort: { updatedAt: -1, runKey: -1 },
        limit: 50,
      },
    });
    const pinged = await sentTo("admin", () => store.ping());
    expect(names(pinged)).toEqual(["ping"]);
    await store.close();
  });
});
