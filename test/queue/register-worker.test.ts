import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import { Queue, UnrecoverableError, type Job, type Worker } from "bullmq";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { PermanentError, StoreTimeoutError } from "../../src/shared/errors.js";
import { jobOptions } from "../../src/queue/job-options.js";
import { QUEUES, type JobPayloads, type QueueName } from "../../src/queue/queues.js";
import { createRedis } from "../../src/queue/redis.js";
import { registerWorker, type JobContext } from "../../src/queue/register-worker.js";
import { eventually, REDIS_URL } from "../support/harness.js";

const names = Object.keys(QUEUES) as QueueName[];

/** One payload each queue accepts. */
const valid: JobPayloads = {
  deliveries: { deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958" },
  reviews: { accountId: 1, runKey: "run-1" },
  replies: {
    kind: "chat",
    accountId: 1,
    installationId: 2,
    repository: "acme/widgets",
    number: 3,
    title: "t",
    question: "SECRET-QUESTION",
    author: "octo",
  },
  notifications: { accountId: 1, entryId: "entry-1", level: "warning", balance: 10 },
  maintenance: { task: "sweep_runs" },
};

interface Setup {
  queue: Queue;
  worker: Worker;
  calls: JobContext[];
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

const open: Setup[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

/** A worker from registerWorker on a prefix of its own, and an untyped queue to feed it. */
function setup<N extends QueueName>(name: N, fail: (attempt: number) => unknown): Setup {
  const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
  const redis: Redis = createRedis(REDIS_URL, "producer");
  const workerRedis: Redis = createRedis(REDIS_URL, "worker");
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => logs.push(JSON.parse(s)) });
  const calls: JobContext[] = [];
  const worker = registerWorker(
    name,
    async (_payload, job) => {
      calls.push(job);
      const err = fail(calls.length);
      if (err) throw err;
      return "done";
    },
    { connection: workerRedis, prefix, concurrency: 1, log },
  );
  const queue = new Queue(name, { connection: redis, prefix });
  const t: Setup = {
    queue,
    worker,
    calls,
    logs,
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await Promise.all([redis.quit(), workerRedis.quit()]);
    },
  };
  open.push(t);
  return t;
}

/** Added with a short backoff and room for 5 attempts, so a retry would show. */
const add = (t: Setup, name: QueueName, data: unknown) =>
  t.queue.add("job", data, { ...jobOptions(name, { retryDelayMs: 10 }), attempts: 5 });

/** The job once it completed or failed for good, read again from Redis. */
async function settled(t: Setup, added: Job): Promise<Job> {
  await eventually(async () => ["failed", "completed"].includes(await added.getState()));
  const job = await t.queue.getJob(added.id!);
  if (!job) throw new Error(`job ${added.id} vanished`);
  return job;
}

describe("registerWorker", () => {
  it.each(names)("%s: a payload that does not parse fails at once, unseen", async (name) => {
    const t = setup(name, () => undefined);
    const job = await settled(t, await add(t, name, { bogus: true }));
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain(`invalid ${QUEUES[name].label} job`);
    expect(t.calls).toEqual([]);
  });

  it.each(names)("%s: a valid payload reaches the handler", async (name) => {
    const t = setup(name, () => undefined);
    const job = await settled(t, await add(t, name, valid[name]));
    expect(await job.getState()).toBe("completed");
    expect(job.returnvalue).toBe("done");
    expect(t.calls).toHaveLength(1);
  });

  it.each(names)("%s: a PermanentError fails at once, its message kept", async (name) => {
    const t = setup(name, () => new PermanentError("the pull request is gone"));
    const job = await settled(t, await add(t, name, valid[name]));
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe("the pull request is gone");
    expect(t.calls).toHaveLength(1);
  });

  it("an UnrecoverableError from the handler passes through unchanged", async () => {
    const t = setup("reviews", () => new UnrecoverableError("GitHub answered 404"));
    const job = await settled(t, await add(t, "reviews", valid.reviews));
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe("GitHub answered 404");
  });

  it("an ordinary error is retried, and the handler knows its final attempt", async () => {
    const t = setup("reviews", (attempt) => (attempt < 3 ? new Error("flaky") : undefined));
    const job = await settled(
      t,
      await t.queue.add("job", valid.reviews, {
        ...jobOptions("reviews", { retryDelayMs: 10 }),
        attempts: 3,
      }),
    );
    expect(await job.getState()).toBe("completed");
    expect(t.calls.map((c) => [c.attemptsMade, c.finalAttempt])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    expect(t.calls.every((c) => c.id === job.id)).toBe(true);
  });

  it("a store timeout is retried with backoff, and logged as a retry", async () => {
    const t = setup("reviews", (attempt) =>
      attempt < 3 ? new StoreTimeoutError("write") : undefined,
    );
    const job = await settled(
      t,
      await t.queue.add("job", valid.reviews, {
        ...jobOptions("reviews", { retryDelayMs: 10 }),
        attempts: 3,
      }),
    );
    expect(await job.getState()).toBe("completed");
    expect(t.calls).toHaveLength(3);
    const retries = t.logs.filter((l) => String(l.msg).startsWith("the database did not answer"));
    expect(retries).toEqual([
      expect.objectContaining({
        queue: "reviews",
        job: job.id,
        attempts: 1,
        code: "store_timeout",
      }),
      expect.objectContaining({
        queue: "reviews",
        job: job.id,
        attempts: 2,
        code: "store_timeout",
      }),
    ]);
    expect(retries.map((l) => l.msg)).toEqual([
      "the database did not answer in time: the job is retried with backoff",
      "the database did not answer in time: the job is retried with backoff",
    ]);
  });

  it("an ordinary error on every attempt fails after the last one", async () => {
    const t = setup("replies", () => new Error("GitHub is down"));
    const job = await settled(t, await add(t, "replies", valid.replies));
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(5);
    expect(t.calls.map((c) => c.finalAttempt)).toEqual([false, false, false, false, true]);
  });

  it("logs a failure with queue, job id, attempts and message, never the payload", async () => {
    const t = setup("replies", () => new PermanentError("refused"));
    const job = await add(t, "replies", valid.replies);
    await eventually(() => t.logs.some((l) => l.msg === "job failed"));
    const line = t.logs.find((l) => l.msg === "job failed")!;
    expect(line).toMatchObject({ queue: "replies", job: job.id, attempts: 1, err: "refused" });
    expect(JSON.stringify(t.logs)).not.toContain("SECRET-QUESTION");
  });
});
