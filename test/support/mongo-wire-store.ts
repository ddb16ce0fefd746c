import { createMongoStore } from "../../src/store/mongo/connect-mongo.js";
import { migrateMongo } from "../../src/store/mongo/migrate-mongo.js";
import type { Store } from "../../src/store/store.js";
import { MongoWireStub, type Received } from "./mongo-wire-stub.js";

/**
 * The mongoose store, migrated, on a wire stub of the test's own: what each store method sends
 * to MongoDB can be read off the stub (there is no MongoDB server here).
 */
export async function openWireStore(db: string): Promise<{ stub: MongoWireStub; store: Store }> {
  const stub = await MongoWireStub.start();
  await migrateMongo(stub.uri(db), () => undefined);
  const store = await createMongoStore(stub.uri(db), "app", () => undefined);
  return { stub, store };
}

export async function closeWireStore(stub: MongoWireStub, store: Store): Promise<void> {
  await store.close();
  await stub.stop();
}

const CHATTER = new Set(["ismaster", "isMaster", "hello", "endSessions"]);

/** The commands `run` sent to `db`, without the driver's own handshakes. */
export async function sentTo(
  stub: MongoWireStub,
  db: string,
  run: () => Promise<unknown>,
): Promise<Received[]> {
  const from = stub.received.length;
  await run();
  return stub.received.slice(from).filter((r) => r.db === db && !CHATTER.has(r.name));
}
