import { randomUUID } from "node:crypto";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";

export interface StoreFactory {
  name: string;
  /** A fresh, empty store; each call is isolated from the others. */
  create(): Promise<Store>;
  /**
   * Closes every store this factory created since the last cleanup, and drops the database
   * each mongo one had. For afterEach (or afterAll) in the suite that uses the factory.
   */
  cleanup(): Promise<void>;
}

/**
 * Every store implementation this run can test: the in-memory one always, the mongoose one
 * when test/support/global-setup.js found a MongoDB (it prints a line when it did not).
 */
export function storeFactories(): StoreFactory[] {
  const factories: StoreFactory[] = [memoryFactory()];
  const uri = process.env.JASPER_TEST_MONGODB_URI;
  if (uri) factories.push(mongoFactory(uri));
  return factories;
}

function memoryFactory(): StoreFactory {
  const created: Store[] = [];
  return {
    name: "memory",
    create: async () => {
      const store = createMemoryStore();
      created.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of created.splice(0)) await store.close();
    },
  };
}

function mongoFactory(uri: string): StoreFactory {
  const created: { store: Store; url: string }[] = [];
  return {
    name: "mongo",
    create: async () => {
      const { createMongoStore } = await import("../../src/store/mongo/connect-mongo.js");
      const { migrateMongo } = await import("../../src/store/mongo/migrate-mongo.js");
      // A database per store keeps tests apart; cleanup drops it.
      const url = new URL(uri);
      url.pathname = `/jasper_test_${randomUUID().slice(0, 8)}`;
      // As in production: the migration builds what the app checks for when it opens.
      await migrateMongo(url.toString(), () => {});
      const store = await createMongoStore(url.toString(), "app", () => {});
      created.push({ store, url: url.toString() });
      return store;
    },
    cleanup: async () => {
      const { default: mongoose } = await import("mongoose");
      for (const { store, url } of created.splice(0)) {
        await store.close();
        // The store's own connection is closed; a short one of our own drops the database.
        const conn = await mongoose.createConnection(url).asPromise();
        try {
          await conn.dropDatabase();
        } finally {
          await conn.close();
        }
      }
    },
  };
}
