import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "@jest/globals";
import type { Redis } from "ioredis";
import { rateLimitedUntil } from "../../src/github/paced-auth.js";
import {
  createInstallationPace,
  type InstallationPace,
  type PaceOptions,
} from "../../src/queue/installation-pace.js";
import { createRedis } from "../../src/queue/redis.js";
import { REDIS_URL } from "../support/harness.js";

const connections: Redis[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
});

/** Two "processes" (two connections) sharing one schedule under a prefix of their own. */
function twoProcesses(o: Omit<PaceOptions, "prefix">) {
  const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
  const [a, b] = [createRedis(REDIS_URL, "producer"), createRedis(REDIS_URL, "producer")];
  connections.push(a, b);
  return [
    createInstallationPace(a, { prefix, ...o }),
    createInstallationPace(b, { prefix, ...o }),
  ] as const;
}

describe("installation pace", () => {
  it("spaces one installation's slots by the interval across processes", async () => {
    const [p, q] = twoProcesses({ perMinute: 600 }); // 100 ms
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) waits.push(await (i % 2 ? q : p).book(1));
    const sorted = [...waits].sort((x, y) => x - y);
    expect(sorted[0]).toBeLessThanOrEqual(5);
    for (let i = 1; i < sorted.length; i++) {
      // Each booking is one interval after the one before (less the few ms between calls).
      expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThan(80);
      expect(sorted[i]! - sorted[i - 1]!).toBeLessThanOrEqual(101);
    }
  });

  it("keeps installations apart", async () => {
    const [p] = twoProcesses({ perMinute: 600 });
    for (let i = 0; i < 5; i++) await p.book(1);
    expect(await p.book(2)).toBeLessThanOrEqual(5);
  });

  it("keeps to the hourly limit after the minute's", async () => {
    const [p] = twoProcesses({ perMinute: 60_000, perHour: 3 });
    const waits = [await p.book(1), await p.book(1), await p.book(1), await p.book(1)];
    expect(waits.slice(0, 3).every((w) => w < 10)).toBe(true);
    // The fourth waits for the hour's GCRA: 20 minutes after the first.
    expect(waits[3]).toBeGreaterThan(19 * 60_000);
  });

  it("a block holds every process's bookings until it ends", async () => {
    const [p, q] = twoProcesses({ perMinute: 600 });
    await p.block(1, Date.now() + 2_000);
    expect(await q.book(1)).toBeGreaterThan(1_900);
    expect(await q.book(2)).toBeLessThanOrEqual(5);
  });

  it("admits near slots, defers far ones, and lets interactive jobs book ahead of bulk", async () => {
    const [p] = twoProcesses({ perMinute: 600, bulkHorizonMs: 300, waitWithinMs: 150 });
    const bulk: Awaited<ReturnType<InstallationPace["admit"]>>[] = [];
    for (let i = 0; i < 8; i++) bulk.push(await p.admit(1, `job-${i}`, "bulk"));
    // Slots 0 and 100 ms: run; 200, 300 ms: booked and held, come back shortly before them.
    expect(bulk.slice(0, 2).map((a) => a.status)).toEqual(["go", "go"]);
    expect(bulk.slice(2, 4).map((a) => a.status)).toEqual(["later", "later"]);
    // Beyond the horizon: not booked, deferred one interval apart.
    const deferred = bulk.slice(4).map((a) => a.waitMs);
    for (let i = 1; i < deferred.length; i++) {
      expect(deferred[i]! - deferred[i - 1]!).toBeGreaterThan(80);
    }
    // Chat books right behind the booked bulk slots (400 ms), not behind the deferred ones.
    const chat = await p.admit(1, "chat", "interactive");
    expect(chat.status).toBe("later");
    expect(chat.waitMs).toBeLessThanOrEqual(400);
    // A held booking is found again: the job runs once its slot is near.
    await new Promise((r) => setTimeout(r, bulk[2]!.waitMs));
    expect((await p.admit(1, "job-2", "bulk")).status).toBe("go");
  });
});

describe("rateLimitedUntil", () => {
  const now = 1_000_000;
  const err = (status: number, headers: Record<string, string>, message = "Forbidden") => ({
    status,
    message,
    response: { headers },
  });

  it("reads retry-after, then x-ratelimit-reset, then falls back to a minute", () => {
    expect(rateLimitedUntil(err(403, { "retry-after": "30" }), now)).toBe(now + 30_000);
    expect(rateLimitedUntil(err(429, { "retry-after": "0" }), now)).toBe(now);
    expect(
      rateLimitedUntil(
        err(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2000" }),
        now,
      ),
    ).toBe(2_001_000);
    expect(rateLimitedUntil(err(403, {}, "You have exceeded a secondary rate limit"), now)).toBe(
      now + 60_000,
    );
    expect(rateLimitedUntil(err(429, {}), now)).toBe(now + 60_000);
  });

  it("is null for a refusal that is not a rate limit", () => {
    expect(
      rateLimitedUntil(err(403, {}, "Resource not accessible by integration"), now),
    ).toBeNull();
    expect(rateLimitedUntil(err(404, { "retry-after": "5" }), now)).toBeNull();
    expect(rateLimitedUntil(new Error("socket hang up"), now)).toBeNull();
  });
});
