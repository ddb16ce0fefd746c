import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import { Queue } from "bullmq";
import type { RedeliveryReport } from "../../src/github/redeliver-failed.js";
import { QUEUE } from "../../src/queue/queues.js";
import { createRedis } from "../../src/queue/redis.js";
import { startWorkers, type Workers } from "../../src/worker/start-workers.js";
import { REDELIVERY_SCHEDULER_ID } from "../../src/worker/schedule-redelivery.js";
import { SWEEP_SCHEDULER_ID } from "../../src/worker/schedule-sweep.js";
import { eventually, REDIS_URL } from "../support/harness.js";
import { captureLog } from "../support/log-capture.js";

const EVERY_MS = 200;
const counts: RedeliveryReport = {
  listed: 7,
  failed: 2,
  recorded: 0,
  askedBefore: 0,
  givenUp: 0,
  redelivered: 2,
  refused: 0,
  deferred: 0,
  unreadable: 0,
};

describe("the redelivery schedule", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  it("two worker processes on one prefix redeliver once per interval in total, each run one log line with its counts", async () => {
    const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
    const redis = createRedis(REDIS_URL, "producer");
    const maintenance = new Queue(QUEUE.maintenance, { connection: redis, prefix });
    const connections = [createRedis(REDIS_URL, "worker"), createRedis(REDIS_URL, "worker")];
    const sets: Workers[] = [];
    cleanup.push(
      () => Promise.all(sets.map((s) => s.close())),
      () => maintenance.obliterate({ force: true }),
      () => maintenance.close(),
      () => Promise.all([redis.quit(), ...connections.map((c) => c.quit())]),
    );
    const logged = captureLog("info");
    let runs = 0;
    const started = Date.now();
    for (const connection of connections) {
      sets.push(
        startWorkers({
          connection,
          prefix,
          runReview: async () => "not_queued",
          postReply: async () => {},
          sendAlert: async () => "skipped",
          sendBudgetWarning: async () => "skipped",
          sweep: async () => ({ resumed: 0, requeued: 0, failed: 0, settled: 0, errors: 0 }),
          // The sweep out of the way: an hour.
          sweepEveryMs: 3_600_000,
          redeliver: async () => {
            runs++;
            return counts;
          },
          redeliverEveryMs: EVERY_MS,
          log: logged.log,
        }),
      );
    }
    const done = async () =>
      (await maintenance.getJobs(["completed"])).filter(
        (j) => j.repeatJobKey === REDELIVERY_SCHEDULER_ID,
      ).length;
    await eventually(async () => (await done()) >= 3);
    await Promise.all(sets.splice(0).map((s) => s.close()));
    const elapsed = Date.now() - started;
    const completed = await done();

    expect(runs).toBe(completed);
    expect(completed).toBeLessThanOrEqual(Math.floor(elapsed / EVERY_MS) + 1);
    const lines = logged
      .text()
      .split("\n")
      .filter((l) => l.includes("redelivery of failed webhook deliveries"));
    expect(lines).toHaveLength(completed);
    expect(JSON.parse(lines[0]!)).toMatchObject(counts);
    // Its own scheduler beside the sweep's, left in Redis for the other processes.
    expect(await maintenance.getJobScheduler(REDELIVERY_SCHEDULER_ID)).toMatchObject({
      every: EVERY_MS,
    });
    expect(await maintenance.getJobScheduler(SWEEP_SCHEDULER_ID)).toBeTruthy();
  });
});
