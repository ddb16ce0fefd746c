import { randomUUID } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "@jest/globals";
import { Queue, type Worker } from "bullmq";
import { pino } from "pino";
import { closeQueue } from "../../src/queue/close-queue.js";
import { createProducer, type Producer } from "../../src/queue/producer.js";
import { QUEUE } from "../../src/queue/queues.js";
import { createRedis } from "../../src/queue/redis.js";
import { registerWorker } from "../../src/queue/register-worker.js";
import { eventually, REDIS_URL } from "../support/harness.js";

/**
 * Chat and commands stay ahead of review bursts: a comment's delivery queued behind a burst
 * of pull request deliveries is still the first one a worker takes.
 */
describe("the deliveries queue", () => {
  const redis = createRedis(REDIS_URL, "producer");
  const workerRedis = createRedis(REDIS_URL, "worker");
  const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
  let producer: Producer | undefined;
  let worker: Worker | undefined;
  afterEach(async () => {
    if (worker) await closeQueue(worker);
    const queue = new Queue(QUEUE.deliveries, { connection: redis, prefix });
    await queue.obliterate({ force: true });
    await closeQueue(queue);
    await producer?.close();
  });
  afterAll(async () => {
    await Promise.all([redis.quit(), workerRedis.quit()]);
  });
  /** One worker taking the deliveries one at a time: the ids in the order it took them. */
  const takeInTurn = () => {
    const order: string[] = [];
    worker = registerWorker("deliveries", async (job) => void order.push(job.deliveryId), {
      connection: workerRedis,
      prefix,
      concurrency: 1,
      log: pino({ level: "silent" }),
    });
    return order;
  };

  it("takes a comment before the pull requests queued ahead of it; each id is one job", async () => {
    producer = createProducer(redis, { prefix, reviewDelayMs: 0 });
    for (let i = 0; i < 5; i++)
      await producer.enqueueDelivery({ deliveryId: `pr-${i}` }, "pull_request");
    await producer.enqueueDelivery({ deliveryId: "pr-0" }, "pull_request");
    await producer.enqueueDelivery({ deliveryId: "chat" }, "issue_comment");
    await producer.enqueueDelivery({ deliveryId: "thread" }, "pull_request_review_comment");
    expect(await producer.deliveryJobState("chat")).toBe("waiting");
    expect(await producer.deliveryJobState("pr-4")).toBe("prioritized");
    expect(await producer.deliveryJobState("never")).toBe("missing");

    const order = takeInTurn();
    await eventually(() => order.length === 7);
    expect(order.slice(0, 2).sort()).toEqual(["chat", "thread"]);
    expect(order.slice(2)).toEqual(["pr-0", "pr-1", "pr-2", "pr-3", "pr-4"]);
  });

  it("adds a burst together and keeps each delivery's lane, its id and the order it came in", async () => {
    producer = createProducer(redis, { prefix, reviewDelayMs: 0 });
    const names = Array.from({ length: 150 }, (_, i) =>
      i % 50 === 7 ? "issue_comment" : "pull_request",
    );
    // 150 at once (past one batch of 100), one of them twice: every add resolves.
    await Promise.all([
      ...names.map((name, i) => producer!.enqueueDelivery({ deliveryId: `d-${i}` }, name)),
      producer.enqueueDelivery({ deliveryId: "d-3" }, "pull_request"),
    ]);
    const queue = new Queue(QUEUE.deliveries, { connection: redis, prefix });
    const counts = await queue.getJobCounts("waiting", "prioritized");
    await closeQueue(queue);
    expect(counts).toMatchObject({ waiting: 3, prioritized: 147 });
    expect(await producer.deliveryJobState("d-57")).toBe("waiting");
    expect(await producer.deliveryJobState("d-149")).toBe("prioritized");

    const order = takeInTurn();
    await eventually(() => order.length === 150);
    expect(order.slice(0, 3)).toEqual(["d-7", "d-57", "d-107"]);
    expect(order.slice(3)).toEqual(
      names.flatMap((name, i) => (name === "pull_request" ? [`d-${i}`] : [])),
    );
  });
});
