import { describe, expect, it } from "@jest/globals";
import { Queue, Worker } from "bullmq";
import { closeQueue } from "../../src/queue/close-queue.js";
import { createRedis } from "../../src/queue/redis.js";
import { eventually, REDIS_URL } from "../support/harness.js";
import { OwnRedis } from "../support/own-redis.js";

describe("closing a queue on a shared connection", () => {
  it("raises nothing when the connection ends while the queue was still starting", async () => {
    const connection = createRedis(REDIS_URL, "producer");
    let queue: Queue | null = null;
    // Closed the moment the connection is ready, before BullMQ's start has asked Redis for its
    // version (its INFO then fails on the ended connection): what a shutdown right after start
    // meets. Without closeQueue that failure is an unhandled error, and this test fails with it.
    const closed = new Promise<Promise<void>>((resolve) =>
      connection.once("ready", () => {
        const closing = closeQueue(queue!);
        connection.disconnect();
        resolve(closing);
      }),
    );
    queue = new Queue("close-while-starting", { connection, prefix: "jasper-test-close" });
    queue.on("error", () => undefined);
    await await closed;
    await expect(queue.waitUntilReady()).rejects.toThrow("Connection is closed.");
    await eventually(() => connection.status === "end");
  });
});

describe("closing a worker right after Redis restarted", () => {
  it("ends, though BullMQ stopped its blocking connection from reconnecting", async () => {
    const redis = await OwnRedis.start();
    const connection = createRedis(redis.url, "worker");
    // drainDelay 1 s: the worker's watchdog on its blocking call fires 2 s into an outage
    // (bullmq worker.js waitForJob) instead of 6 s. runRetryDelay 0.5 s: when the outage
    // instead fails the worker's fetch (timing on a loaded machine), BullMQ waits that long
    // (15 s by default) before its next blocking call, whose watchdog then fires.
    const worker = new Worker("close-restart", async () => undefined, {
      connection,
      prefix: "jasper-test-close",
      drainDelay: 1,
      runRetryDelay: 500,
    });
    worker.on("error", () => undefined);
    const blocking = (worker as unknown as { blockingConnection: { reconnect(): Promise<void> } })
      .blockingConnection;
    let watchdogFired = false;
    const reconnect = blocking.reconnect.bind(blocking);
    blocking.reconnect = () => {
      watchdogFired = true;
      return reconnect();
    };
    try {
      await worker.waitUntilReady();
      // Redis goes away long enough for the watchdog to fire during the outage: what a Redis
      // restart in production (and the readyz and redis-outage tests) meets.
      await redis.stop();
      // BullMQ's watchdog fires 2 s into the outage when the worker is in its blocking call; in
      // other timings (seen in CI: the worker was elsewhere when Redis went) it may not fire in
      // the wait, and the test then makes the watchdog's call itself, so the close below always
      // meets a blocking connection reconnecting into an outage.
      const fired = await eventually(() => watchdogFired, 5_000).then(
        () => true,
        () => false,
      );
      if (!fired) void blocking.reconnect().catch(() => undefined);
      expect(watchdogFired).toBe(true);
      await redis.start();
      // At once: BullMQ's own close would quit() a blocking connection that never comes back
      // and hang for ever; closeQueue forces it.
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        closeQueue(worker).then(() => "closed"),
        new Promise((resolve) => (timer = setTimeout(() => resolve("hung"), 5_000))),
      ]);
      clearTimeout(timer);
      expect(outcome).toBe("closed");
      // The worker connection (shared, so left open by the close) comes back and quits.
      await eventually(() => connection.status === "ready", 10_000);
      await connection.quit();
    } finally {
      connection.disconnect();
      await redis.stop();
    }
  });
});
