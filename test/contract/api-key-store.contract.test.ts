import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { generateApiKey } from "../../src/accounts/api-keys.js";
import {
  KEY_USE_RESOLUTION_MS,
  LISTED_REVOKED_KEYS,
  type ApiKeyScope,
  type ApiKeyStore,
  type NewApiKey,
} from "../../src/accounts/api-key-store.js";
import { toAccountId } from "../../src/accounts/types.js";
import { MemoryApiKeyStore } from "../../src/store/memory/memory-api-key-store.js";
import { apiKeyModel } from "../../src/store/mongo/models/api-key.js";
import { MongoApiKeyStore } from "../../src/store/mongo/mongo-api-key-store.js";

const connections: mongoose.Connection[] = [];

/** The memory store always; the mongoose one when test/support/global-setup.js found MongoDB. */
function factories(): { name: string; create(): Promise<ApiKeyStore> }[] {
  const list = [
    { name: "memory", create: async (): Promise<ApiKeyStore> => new MemoryApiKeyStore() },
  ];
  const uri = process.env.JASPER_TEST_MONGODB_URI;
  if (uri) {
    list.push({
      name: "mongo",
      create: async () => {
        // As createMongoStore sets them: filters stay values, unknown fields throw.
        mongoose.set("sanitizeFilter", true);
        mongoose.set("strictQuery", "throw");
        const url = new URL(uri);
        url.pathname = `/jasper_test_${randomUUID().slice(0, 8)}`;
        const conn = await mongoose
          .createConnection(url.toString(), { autoIndex: false })
          .asPromise();
        connections.push(conn);
        const model = apiKeyModel(conn);
        await model.createIndexes();
        return new MongoApiKeyStore(model);
      },
    });
  }
  return list;
}

afterAll(async () => {
  for (const conn of connections) {
    await conn.dropDatabase();
    await conn.close();
  }
});

const A = toAccountId(101);
const B = toAccountId(202);
/** A cap no test here reaches, for keys made as a fixture. */
const ANY = 1_000;
const add = async (store: ApiKeyStore, input: NewApiKey) => {
  const key = await store.create(input, ANY);
  if (!key) throw new Error("refused under the cap");
  return key;
};

const newKey = (accountId = A, name = "ci", scope: ApiKeyScope = "read"): NewApiKey => {
  const { hash, prefix } = generateApiKey();
  return { accountId, name, hash, prefix, scope };
};

describe.each(factories())("API key store contract: $name", ({ create }) => {
  it("stores a key by hash and finds it again", async () => {
    const store = await create();
    const input = newKey();
    const created = await add(store, input);
    expect(created).toEqual({
      ...input,
      id: expect.any(String),
      createdAt: expect.any(Date),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(await store.findByHash(input.hash)).toEqual(created);
    expect(await store.findByHash(generateApiKey().hash)).toBeNull();
    expect(await store.findByHash('{"$ne":null}')).toBeNull();
  });

  it("refuses a second key with the same hash", async () => {
    const store = await create();
    const input = newKey();
    await add(store, input);
    await expect(add(store, { ...input, accountId: B })).rejects.toThrow();
  });

  it("lists an account's keys newest first, and only its own", async () => {
    const store = await create();
    const first = await add(store, newKey(A, "first"));
    const second = await add(store, newKey(A, "second"));
    await add(store, newKey(B, "other"));
    expect((await store.list(A)).map((k) => k.id)).toEqual([second.id, first.id]);
    expect((await store.list(B)).map((k) => k.name)).toEqual(["other"]);
  });

  it("revokes within the account only, keeping the first revocation time", async () => {
    const store = await create();
    const key = await add(store, newKey());
    expect(await store.revoke(B, key.id)).toBe(false);
    expect((await store.findByHash(key.hash))!.revokedAt).toBeNull();
    expect(await store.revoke(A, key.id)).toBe(true);
    const revokedAt = (await store.findByHash(key.hash))!.revokedAt;
    expect(revokedAt).toBeInstanceOf(Date);
    expect(await store.revoke(A, key.id)).toBe(true);
    expect((await store.findByHash(key.hash))!.revokedAt).toEqual(revokedAt);
    for (const id of ["nope", "", "0".repeat(24), '{"$gt":""}']) {
      expect(await store.revoke(A, id)).toBe(false);
    }
  });

  it("records the last use, within the account only", async () => {
    const store = await create();
    const key = await add(store, newKey());
    const at = new Date("2026-11-10T12:00:00Z");
    await store.markUsed(B, key.id, at);
    expect((await store.findByHash(key.hash))!.lastUsedAt).toBeNull();
    await store.markUsed(A, key.id, at);
    expect((await store.findByHash(key.hash))!.lastUsedAt).toEqual(at);
    await store.markUsed(A, "nope", at);
  });

  it("stores the scope it was given", async () => {
    const store = await create();
    const writer = await add(store, newKey(A, "deploy", "write"));
    const reader = await add(store, newKey(A, "ci", "read"));
    expect(writer.scope).toBe("write");
    expect((await store.findByHash(writer.hash))!.scope).toBe("write");
    expect((await store.findByHash(reader.hash))!.scope).toBe("read");
    expect((await store.list(A)).map((k) => k.scope)).toEqual(["read", "write"]);
  });

  it("counts an account's active keys, and only its own", async () => {
    const store = await create();
    expect(await store.countActive(A)).toBe(0);
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push(await add(store, newKey(A, `k${i}`)));
    await add(store, newKey(B));
    await store.revoke(A, keys[1]!.id);
    expect(await store.countActive(A)).toBe(2);
    expect(await store.countActive(B)).toBe(1);
    expect(await store.countActive(toAccountId(303))).toBe(0);
  });

  it("lists every active key however many keys were revoked, and the newest revoked ones", async () => {
    const store = await create();
    // Past 200 keys in all, the oldest one active: it must still be listed.
    const oldest = await add(store, newKey(A, "oldest"));
    const revoked: string[] = [];
    for (let i = 0; i < LISTED_REVOKED_KEYS + 110; i++) {
      const key = await add(store, newKey(A, `r${i}`));
      await store.revoke(A, key.id);
      revoked.push(key.id);
    }
    const newest = await add(store, newKey(A, "newest"));
    const listed = await store.list(A);
    expect(listed.map((k) => k.id)).toEqual([
      newest.id,
      ...revoked.slice(-LISTED_REVOKED_KEYS).reverse(),
      oldest.id,
    ]);
    expect(await store.countActive(A)).toBe(2);
  });

  it("writes the last use at most once a minute, and never back in time", async () => {
    const store = await create();
    const key = await add(store, newKey());
    const lastUse = async () => (await store.findByHash(key.hash))!.lastUsedAt;
    const at = new Date("2026-11-10T12:00:00Z");
    const later = (ms: number) => new Date(at.getTime() + ms);
    await store.markUsed(A, key.id, at);
    expect(await lastUse()).toEqual(at);
    await store.markUsed(A, key.id, later(KEY_USE_RESOLUTION_MS - 1));
    expect(await lastUse()).toEqual(at);
    await store.markUsed(A, key.id, later(-5 * KEY_USE_RESOLUTION_MS));
    expect(await lastUse()).toEqual(at);
    await store.markUsed(A, key.id, later(KEY_USE_RESOLUTION_MS));
    expect(await lastUse()).toEqual(later(KEY_USE_RESOLUTION_MS));
    // Many requests at once: one write, the rest find it already done.
    const times = [1, 2, 3].map((n) => later(2 * KEY_USE_RESOLUTION_MS + n));
    await Promise.all(times.map((t) => store.markUsed(A, key.id, t)));
    expect(times).toContainEqual(await lastUse());
  });

  it("creates at most the cap of active keys, however many ask at once", async () => {
    const store = await create();
    await add(store, newKey(B));
    const asked = await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.create(newKey(A, `k${i}`), 25)),
    );
    const created = asked.filter((k) => k !== null);
    expect(created).toHaveLength(25);
    expect(asked.filter((k) => k === null)).toHaveLength(15);
    expect(await store.countActive(A)).toBe(25);
    expect(new Set(created.map((k) => k.id)).size).toBe(25);
    // Another account's keys count for it alone.
    expect(await store.create(newKey(B), 2)).not.toBeNull();
    expect(await store.create(newKey(B), 2)).toBeNull();
    // A revoked key frees its place, once.
    await store.revoke(A, created[3]!.id);
    await store.revoke(A, created[3]!.id);
    const again = await Promise.all([1, 2, 3].map(() => store.create(newKey(A), 25)));
    expect(again.filter((k) => k !== null)).toHaveLength(1);
    expect(await store.countActive(A)).toBe(25);
  });

  it("hands out copies, never what it stores", async () => {
    const store = await create();
    const key = await add(store, newKey());
    key.revokedAt = new Date();
    (await store.list(A))[0]!.name = "changed";
    const again = await store.findByHash(key.hash);
    expect(again).toMatchObject({ name: "ci", revokedAt: null });
  });
});
