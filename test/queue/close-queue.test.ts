import { describe, expect, it } from "@jest/globals";
import { Queue } from "bullmq";
import { closeQueue } from "../../src/queue/close-queue.js";
import { createRedis } from "../../src/queue/redis.js";
import { eventually, REDIS_URL } from "../support/harness.js";

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
