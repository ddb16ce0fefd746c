import { describe, expect, it } from "@jest/globals";
import { createMongoStore } from "../../src/store/mongo/connect-mongo.js";
import { migrateMongo } from "../../src/store/mongo/migrate-mongo.js";
import { MongoUnreachableError } from "../../src/store/open-store.js";
import { freePort as closedPort } from "../support/own-redis.js";

const PASSWORD = "s3cret-mongo-pass";

/**
 * A MongoDB that does not answer, as the app, the migration and ledger:verify meet it at
 * start: a port on the loopback that nobody listens on. The server selection timeout is cut
 * from 15 s to a fraction of a second so that the test does not wait it out.
 */
describe("a MongoDB nobody answers at", () => {
  it("fails the store's opening with one line naming MONGODB_URI and where it tried, without the password", async () => {
    const port = await closedPort();
    const uri = `mongodb://jasper:${PASSWORD}@127.0.0.1:${port}/jasper_test`;
    const started = Date.now();
    const err = await createMongoStore(uri, "app", () => {}, {
      serverSelectionTimeoutMS: 300,
    }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(MongoUnreachableError);
    const { message } = err as Error;
    expect(message).toBe(
      `MongoDB unreachable at 127.0.0.1:${port} (MONGODB_URI): connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(message).not.toContain(PASSWORD);
    // It gave up after the selection timeout, not the driver's default 30 s.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("names every host of a replica set, and so does the migration", async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const uri = `mongodb://jasper:${PASSWORD}@127.0.0.1:${a},127.0.0.1:${b}/jasper_test?replicaSet=rs0`;
    const err = await migrateMongo(uri, () => {}, { serverSelectionTimeoutMS: 300 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MongoUnreachableError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^MongoDB unreachable at 127\\.0\\.0\\.1:${a},127\\.0\\.0\\.1:${b} \\(MONGODB_URI\\): `,
      ),
    );
    expect((err as Error).message).not.toContain(PASSWORD);
    expect((err as Error).message).not.toContain("\n");
  });
});
