import type { Store } from "./store.js";
import { createMemoryStore } from "./memory/memory-store.js";

/**
 * The store MONGODB_URI names. The mongoose code is loaded only when it is used, so tests and
 * try-outs on the in-memory store never pull in a MongoDB driver.
 */
export async function openStore(
  mongodbUri: string,
  warn: (message: string) => void,
): Promise<Store> {
  if (mongodbUri === "memory") {
    warn("MONGODB_URI=memory: using the in-memory store; nothing persists across restarts");
    return createMemoryStore();
  }
  const { createMongoStore } = await import("./mongo/connect-mongo.js");
  return createMongoStore(mongodbUri);
}
