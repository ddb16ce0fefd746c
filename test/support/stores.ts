import { randomUUID } from "node:crypto";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";

export interface StoreFactory {
  name: string;
  /** A fresh, empty store; each call is isolated from the others. */
  create(): Promise<Store>;
}

/**
 * Every store implementation this run can test: the in-memory one always, the mongoose one
 * when test/support/global-setup.js found a MongoDB (it prints a line when it did not).
 */
export function storeFactories(): StoreFactory[] {
  const factories: StoreFactory[] = [{ name: "memory", create: async () => createMemoryStore() }];
  const uri = process.env.JASPER_TEST_MONGODB_URI;
  if (uri) {
    factories.push({
      name: "mongo",
      create: async () => {
        const { createMongoStore } = await import("../../src/store/mongo/connect-mongo.js");
        // A database per store keeps tests apart without cleaning up between them.
        const url = new URL(uri);
        url.pathname = `/jasper_test_${randomUUID().slice(0, 8)}`;
        return createMongoStore(url.toString());
      },
    });
  }
  return factories;
}
