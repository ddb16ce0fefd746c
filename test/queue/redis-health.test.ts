import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import type { Redis } from "ioredis";
import { createProducer } from "../../src/queue/producer.js";
import { createRedis } from "../../src/queue/redis.js";
import { watchRedis } from "../../src/queue/redis-health.js";
import { startWorkers, type Workers } from "../../src/worker/start-workers.js";
import { eventually } from "../support/harness.js";
import { captureLog, type CapturedLog } from "../support/log-capture.js";
import { freePort as closedPort, OwnRedis } from "../support/own-redis.js";

const PASSWORD = "s3cret-redis-pass";

/**
 * What a process with both roles holds: the producer's connection and the worker connection,
 * both watched, with every queue's worker and the producer's queues on them (BullMQ forwards
 * each connection error to every worker and queue sharing the connection).
 */
function startProcess(url: string, captured: CapturedLog) {
  const health = watchRedis(captured.log);
  const producerRedis = createRedis(url, "producer", health);
  const workerRedis = createRedis(url, "worker", health);
  const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
  const producer = createProducer(producerRedis, { prefix, reviewDelayMs: 0 });
  const workers = startWorkers({
    connection: workerRedis,
    prefix,
    processDelivery: async () => "skipped",
    runReview: async () => "not_queued",
    postReply: async () => {},
    sendAlert: async () => "skipped",
    sendBudgetWarning: async () => "skipped",
    sweep: async () => ({ resumed: 0, requeued: 0, failed: 0, settled: 0, errors: 0 }),
    log: captured.log,
  });
  return { producerRedis, workerRedis, producer, workers };
}

/** Reconnect attempts of a connection, counted as ioredis announces them. */
function attemptsOf(redis: Redis): () => number {
  let n = 0;
  redis.on("reconnecting", () => n++);
  return () => n;
}

function lines(captured: CapturedLog): { level: number; msg: string }[] {
  return captured
    .text()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

describe("Redis being down is told once per change, naming REDIS_URL", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  // Last in, first out: the process stops before the Redis it uses. Every step runs even when
  // one before it failed, so the test's own redis-server is always stopped (a live child
  // process would keep Jest from exiting).
  afterEach(async () => {
    const failures: unknown[] = [];
    for (const step of cleanup.splice(0).reverse()) await step().catch((err) => failures.push(err));
    if (failures.length > 0) throw failures[0];
  });

  function closeLater(p: ReturnType<typeof startProcess>) {
    let workers: Workers | null = p.workers;
    cleanup.push(async () => {
      // Connections ended first: the workers and queues then stop at once, whatever state the
      // Redis they used is in (never there, restarted, reconnecting), instead of waiting for it.
      [p.producerRedis, p.workerRedis].forEach((r) => r.disconnect());
      await workers?.close();
      workers = null;
      await p.producer.close();
    });
  }

  it("an unreachable Redis: one line, with host and port and without the password, however many retries", async () => {
    const port = await closedPort();
    const captured = captureLog();
    const p = startProcess(`redis://:${PASSWORD}@127.0.0.1:${port}`, captured);
    closeLater(p);
    const attempts = [attemptsOf(p.workerRedis), attemptsOf(p.producerRedis)];
    await eventually(() => attempts.every((n) => n() >= 6));

    const logged = lines(captured);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50 });
    expect(logged[0]!.msg).toContain(`Redis unreachable at 127.0.0.1:${port} (REDIS_URL)`);
    expect(logged[0]!.msg).toContain("ECONNREFUSED");
    expect(captured.text()).not.toContain(PASSWORD);
  });

  it("a Redis that goes away and comes back: one line when it goes, one when it is back", async () => {
    const own = await OwnRedis.start();
    cleanup.push(() => own.stop());
    const captured = captureLog();
    const p = startProcess(own.url, captured);
    closeLater(p);
    await eventually(() => p.workerRedis.status === "ready" && p.producerRedis.status === "ready");
    expect(lines(captured)).toEqual([]);

    await own.stop();
    const attempts = attemptsOf(p.workerRedis);
    await eventually(() => attempts() >= 6);
    await own.start();
    await eventually(() => lines(captured).some((l) => l.msg.includes("reachable again")));
    const states = lines(captured).filter((l) => l.msg.includes("(REDIS_URL)"));
    expect(states.map((l) => l.msg)).toEqual([
      expect.stringContaining(`Redis unreachable at 127.0.0.1:${own.port} (REDIS_URL)`),
      expect.stringContaining(`Redis reachable again at 127.0.0.1:${own.port} (REDIS_URL)`),
    ]);
    // Besides those two, at most the sweep's scheduler put back (the restarted Redis is empty).
    expect(lines(captured).length).toBeLessThanOrEqual(3);
  });
});
