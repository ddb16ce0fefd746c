import { afterEach, describe, expect, it } from "@jest/globals";
import { createMongoStore } from "../../src/store/mongo/connect-mongo.js";
import type { MongoStateChange } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";
import { eventually } from "../support/harness.js";
import { MongoWireStub } from "../support/mongo-wire-stub.js";

describe("MongoDB going away while the process runs", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });

  it("is said once when it goes and once when it is back, naming where", async () => {
    const stub = await MongoWireStub.start();
    cleanup.push(() => stub.stop());
    const port = stub.port;
    const uri = stub.uri("jasper_test");
    const changes: MongoStateChange[] = [];
    const store: Store = await createMongoStore(
      uri,
      "read-only",
      () => {},
      // The monitor checks every 100 ms rather than every 10 s, so that the test is quick. The
      // state changes come from that monitor, not from server selection, whose limit only
      // bounds the first connection: generous, so a loaded machine still connects.
      { serverSelectionTimeoutMS: 10_000, heartbeatFrequencyMS: 100 },
      (change) => changes.push(change),
    );
    cleanup.push(() => store.close());
    expect(changes).toEqual([]);

    await stub.stop();
    await eventually(() => changes.length > 0);
    await stub.restart(port);
    await eventually(() => changes.some((c) => c.state === "reachable"));

    expect(changes.map((c) => c.state)).toEqual(["unreachable", "reachable"]);
    expect(changes[0]!.message).toContain(`MongoDB unreachable at 127.0.0.1:${port} (MONGODB_URI)`);
    expect(changes[1]!.message).toMatch(
      new RegExp(`^MongoDB reachable again at 127\\.0\\.0\\.1:${port} \\(MONGODB_URI\\), after `),
    );

    // Closing on purpose is not news.
    await store.close();
    expect(changes).toHaveLength(2);
  });
});
