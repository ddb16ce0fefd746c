import { afterEach, describe, expect, it, jest } from "@jest/globals";
import type { Connection } from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import { storeOn } from "../../src/store/mongo/connect-mongo.js";
import {
  CONNECTION_OPTIONS,
  connectMongo,
  READ_TIME_LIMIT_MS,
  WRITE_TIME_LIMIT_MS,
} from "../../src/store/mongo/mongo-connection.js";

/**
 * The connection every Jasper process opens, without a MongoDB: port 1 on the loopback refuses
 * every connection, and mongoose has configured itself and built its MongoClient (which parses
 * every option) before the first await of its connect. Each test closes the client, which
 * ends the pending connect at once instead of after the server selection timeout.
 */
const URI =
  "mongodb://127.0.0.1:1/jasper_test?w=1&readPreference=secondaryPreferred&serverSelectionTimeoutMS=99";

let conn: Connection | undefined;
afterEach(async () => {
  if (!conn) return;
  const pending = conn.asPromise().catch((err: Error) => err);
  await conn.getClient().close();
  expect(await pending).toMatchObject({ name: "MongoTopologyClosedError" });
  conn = undefined;
});

describe("the MongoDB connection", () => {
  it("acknowledges writes at majority within a time limit, reads the primary, and waits 15 s for one", () => {
    conn = connectMongo(URI);
    const options = conn.getClient().options;
    // The URI asked for w=1, a secondary and 99 ms: the connection's options win.
    expect(options.writeConcern).toMatchObject({ w: "majority" });
    expect(options.writeConcern?.wtimeoutMS).toBe(WRITE_TIME_LIMIT_MS);
    // mongoose's, put on each query and aggregation (mongo-time-limits-on-the-wire.test.ts).
    expect(conn.get("maxTimeMS")).toBe(READ_TIME_LIMIT_MS);
    expect(options.readPreference.mode).toBe("primary");
    expect(options.serverSelectionTimeoutMS).toBe(15_000);
    expect(CONNECTION_OPTIONS.serverSelectionTimeoutMS).toBe(15_000);
  });

  it("does not buffer, and creates neither collections nor indexes", () => {
    conn = connectMongo(URI);
    expect(conn.config).toMatchObject({
      bufferCommands: false,
      autoCreate: false,
      autoIndex: false,
    });
  });

  it("fails an operation at once instead of queueing it while not connected", async () => {
    conn = connectMongo(URI);
    const { accounts } = storeOn(conn);
    const started = Date.now();
    await expect(accounts.get(toAccountId(1))).rejects.toThrow(/bufferCommands = false/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("builds the store's models without a word to the server", async () => {
    conn = connectMongo(URI);
    const createCollection = jest.spyOn(conn, "createCollection");
    storeOn(conn);
    const models = Object.values(conn.models);
    expect(models.map((m) => m.collection.collectionName).sort()).toEqual([
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
    const indexBuilds = models.map((m) => jest.spyOn(m, "ensureIndexes"));
    // Model.init is what conn.model() starts: with autoCreate and autoIndex off it settles
    // without creating a collection or building an index (with them on it calls both).
    await Promise.all(models.map((m) => m.init()));
    expect(createCollection).not.toHaveBeenCalled();
    for (const build of indexBuilds) expect(build).not.toHaveBeenCalled();
  });
});
