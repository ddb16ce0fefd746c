import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Redis } from "ioredis";
import { createSessionRevocations } from "../../src/dashboard/session-revocations.js";
import { createRedis } from "../../src/queue/redis.js";
import { REDIS_URL, eventually } from "../support/harness.js";
import { OwnRedis } from "../support/own-redis.js";

const HOUR = 3600_000;

describe("session revocations in Redis", () => {
  let redis: Redis;
  const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
  const now = Date.UTC(2026, 4, 1, 12);
  const revocations = () => createSessionRevocations(redis, { prefix, hours: 8, now: () => now });
  beforeAll(() => {
    redis = createRedis(REDIS_URL, "producer");
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("keeps a signed-out session's id, hashed, for the session's lifetime left", async () => {
    const r = revocations();
    const session = { sid: "sid-one", userId: 1, issuedAt: now - 2 * HOUR };
    const other = { sid: "sid-two", userId: 1, issuedAt: now - 2 * HOUR };
    expect(await r.check(session)).toBe("valid");
    await r.revoke(session);
    expect(await r.check(session)).toBe("revoked");
    expect(await r.check(other)).toBe("valid");

    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain("sid-one");
    // 6 hours of its 8 were left (and a minute for the cookie's rounding).
    const ttl = await redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(6 * HOUR);
    expect(ttl).toBeLessThanOrEqual(6 * HOUR + 60_000);
  });

  it("ends a user's sessions issued up to a time, not later ones nor another user's", async () => {
    const r = revocations();
    const cut = now;
    await r.revokeAllOf(7, cut);
    expect(await r.check({ sid: "a", userId: 7, issuedAt: cut - 1 })).toBe("revoked");
    expect(await r.check({ sid: "b", userId: 7, issuedAt: cut })).toBe("revoked");
    expect(await r.check({ sid: "c", userId: 7, issuedAt: cut + 1 })).toBe("valid");
    expect(await r.check({ sid: "d", userId: 8, issuedAt: cut - 1 })).toBe("valid");
    // An earlier cut arriving late does not bring back what the later one ended.
    await r.revokeAllOf(7, cut - HOUR);
    expect(await r.check({ sid: "a", userId: 7, issuedAt: cut - 1 })).toBe("revoked");
    const ttl = await redis.pttl(`${prefix}:session:ended-before:7`);
    expect(ttl).toBeGreaterThan(8 * HOUR - 60_000);
    expect(ttl).toBeLessThanOrEqual(8 * HOUR + 60_000);
  });

  it("does not store a session that has expired already", async () => {
    const r = revocations();
    const before = await redis.keys(`${prefix}:*`);
    await r.revoke({ sid: "old", userId: 1, issuedAt: now - 9 * HOUR });
    expect(await redis.keys(`${prefix}:*`)).toEqual(before);
  });
});

describe("session revocations when Redis is down", () => {
  let own: OwnRedis;
  let redis: Redis;
  beforeAll(async () => {
    own = await OwnRedis.start();
    redis = createRedis(own.url, "producer");
  });
  afterAll(async () => {
    await redis.quit();
    await own.stop();
  });

  it("rejects the check (never answers valid) within its time limit, and answers once Redis is back", async () => {
    const r = createSessionRevocations(redis, { prefix: "p", hours: 8, timeoutMs: 500 });
    const session = { sid: "s", userId: 1, issuedAt: Date.now() };
    expect(await r.check(session)).toBe("valid");
    await own.stop();
    const started = Date.now();
    await expect(r.check(session)).rejects.toThrow();
    await expect(r.revoke(session)).rejects.toThrow();
    await expect(r.revokeAllOf(1, Date.now())).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);

    await own.start();
    // ioredis reconnects on its own backoff (up to 2 s between tries); a loaded machine may
    // take several tries, so the bound is generous: the point is that it comes back.
    await eventually(async () => (await r.check(session).catch(() => null)) === "valid", 30_000);
  });
});
