import type { Store } from "./store.js";
import { createMemoryStore } from "./memory/memory-store.js";

// Mongoose-free (see its file), so main.ts can tell a store that is not migrated yet.
export { MissingIndexesError } from "./mongo/missing-indexes-error.js";
export { MongoUnreachableError } from "./mongo/mongo-unreachable-error.js";
export type { MongoStateChange } from "./mongo/mongo-health.js";
import type { MongoStateChange } from "./mongo/mongo-health.js";

/**
 * How a process uses the store. "app" (web, worker): MongoDB must have the unique indexes, or
 * opening fails with a MissingIndexesError. "read-only" (ledger:verify): opening reads only,
 * whatever the indexes; missing ones are warned about.
 */
export type StoreMode = "app" | "read-only";

/**
 * The store MONGODB_URI names. The mongoose code is loaded only when it is used, so tests and
 * try-outs on the in-memory store never pull in a MongoDB driver. Neither store creates a
 * collection or an index when it opens: that is migrateStore's job.
 */
export async function openStore(
  mongodbUri: string,
  warn: (message: string) => void,
  mode: StoreMode = "app",
  /** MongoDB going away while the process runs, and coming back: one call each. */
  onStateChange?: (change: MongoStateChange) => void,
): Promise<Store> {
  if (mongodbUri === "memory") {
    warn("MONGODB_URI=memory: using the in-memory store; nothing persists across restarts");
    return createMemoryStore();
  }
  const { createMongoStore } = await import("./mongo/connect-mongo.js");
  return createMongoStore(mongodbUri, mode, warn, {}, onStateChange);
}

/**
 * The migration (src/cli/migrate.ts): creates the collections and indexes of the store
 * MONGODB_URI names, saying what it did one line at a time. Throws when something could not
 * be built.
 */
export async function migrateStore(mongodbUri: string, say: (line: string) => void): Promise<void> {
  if (mongodbUri === "memory") {
    say(
      "MONGODB_URI=memory: the in-memory store has no collections or indexes; nothing to migrate",
    );
    return;
  }
  const { migrateMongo } = await import("./mongo/migrate-mongo.js");
  await migrateMongo(mongodbUri, say);
}
