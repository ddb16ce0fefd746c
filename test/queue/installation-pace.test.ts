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
    // Each slot lies between (call start + wait) and (call end + wait): consecutive slots are
    // at least one interval apart whatever the machine's load (rounding: 1 ms).
    const slots: { earliest: number; latest: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const before = Date.now();
      const wait = await (i % 2 ? q : p).book(1);
      slots.push({ earliest: before + wait, latest: Date.now() + wait });
    }
    for (let i = 1; i < slots.length; i++) {
      expect(slots[i]!.latest - slots[i - 1]!.earliest).toBeGreaterThanOrEqual(99);
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
    // A slot a second: far apart, so the few ms between calls do not matter.
    const [p] = twoProcesses({ perMinute: 60, bulkHorizonMs: 3_000, waitWithinMs: 500 });
    const bulk: Awaited<ReturnType<InstallationPace["admit"]>>[] = [];
    for (let i = 0; i < 7; i++) bulk.push(await p.admit(1, `job-${i}`, "bulk"));
    // Slot 0: runs; 1, 2, 3 s: booked and held, to come back shortly before them.
    expect(bulk.map((a) => a.status)).toEqual(Array(7).fill("later").fill("go", 0, 1));
    expect(bulk[1]!.waitMs).toBeGreaterThan(500);
    expect(bulk[1]!.waitMs).toBeLessThanOrEqual(1_000);
    // Beyond the horizon: not booked, deferred one interval apart.
    const deferred = bulk.slice(4).map((a) => a.waitMs);
    for (let i = 1; i < deferred.length; i++) {
      expect(deferred[i]! - deferred[i - 1]!).toBeGreaterThan(900);
    }
    // Chat books right behind the booked bulk slots (4 s), not behind the deferred ones.
    const chat = await p.admit(1, "chat", "interactive");
    expect(chat.status).toBe("later");
    expect(chat.waitMs).toBeLessThanOrEqual(4_000);
    // A held booking is found again: the job runs once its slot is near.
    await new Promise((r) => setTimeout(r, bulk[1]!.waitMs));
    expect((await p.admit(1, "job-1", "bulk")).status).toBe("go");
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
