import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import { Queue } from "bullmq";
import { pino } from "pino";
import { QUEUE } from "../../src/queue/queues.js";
import { createRedis } from "../../src/queue/redis.js";
import type { SweepReport } from "../../src/reviews/sweep-runs.js";
import { NOTHING_REDELIVERED, type RedeliveryReport } from "../../src/github/redeliver-failed.js";
import { startWorkers, type WorkerDeps, type Workers } from "../../src/worker/start-workers.js";
import { REDELIVERY_SCHEDULER_ID } from "../../src/worker/schedule-redelivery.js";
import { SWEEP_SCHEDULER_ID } from "../../src/worker/schedule-sweep.js";
import { eventually, REDIS_URL } from "../support/harness.js";
import { captureLog } from "../support/log-capture.js";
import { OwnRedis } from "../support/own-redis.js";

const EVERY_MS = 200;
const STALE_AFTER_MS = 5_000;
const log = pino({ level: "silent" });
const nothingSwept: SweepReport = { resumed: 0, requeued: 0, failed: 0, settled: 0, errors: 0 };

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

/**
 * Two worker processes on one prefix, each on its own connection as two processes would be,
 * with `deps` on top of use cases that do nothing; closed after the test. `sets` may be
 * closed (and emptied) by the test first.
 */
function twoWorkerProcesses(deps: Partial<WorkerDeps>) {
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
  for (const connection of connections) {
    sets.push(
      startWorkers({
        connection,
        prefix,
        processDelivery: async () => "skipped",
        runReview: async () => "not_queued",
        postReply: async () => {},
        sendAlert: async () => "skipped",
        sendBudgetWarning: async () => "skipped",
        sweep: async () => nothingSwept,
        log,
        ...deps,
      }),
    );
  }
  return { maintenance, sets };
}

describe("the sweep schedule", () => {
  it("two worker processes on one prefix sweep once per interval in total", async () => {
    /** How far back each sweep looked, at the time it ran. */
    const lookback: number[] = [];
    const sweep = async (staleBefore: Date): Promise<SweepReport> => {
      lookback.push(Date.now() - staleBefore.getTime());
      return { resumed: 0, requeued: 0, failed: 0, settled: 0, errors: 0 };
    };
    const started = Date.now();
    const { maintenance, sets } = twoWorkerProcesses({
      sweep,
      staleAfterMs: STALE_AFTER_MS,
      sweepEveryMs: EVERY_MS,
    });
    const done = async () => (await maintenance.getJobCounts("completed")).completed ?? 0;
    await eventually(async () => (await done()) >= 3);
    await Promise.all(sets.splice(0).map((s) => s.close()));
    const elapsed = Date.now() - started;
    const counts = await maintenance.getJobCounts("completed", "failed");
    const completed = counts.completed ?? 0;

    // One sweep per scheduler job, not one per process per interval.
    expect(counts.failed).toBe(0);
    expect(completed).toBeGreaterThanOrEqual(3);
    expect(lookback).toHaveLength(completed);
    // All from the one scheduler, and at most one job per interval (the first one interval
    // after start).
    const jobs = await maintenance.getJobs(["completed"]);
    expect(new Set(jobs.map((j) => j.repeatJobKey))).toEqual(new Set([SWEEP_SCHEDULER_ID]));
    expect(completed).toBeLessThanOrEqual(Math.floor(elapsed / EVERY_MS) + 1);
    for (const ms of lookback) expect(ms).toBeGreaterThanOrEqual(STALE_AFTER_MS);
    // Closing the workers leaves the scheduler to the other processes.
    expect(await maintenance.getJobScheduler(SWEEP_SCHEDULER_ID)).toMatchObject({
      every: EVERY_MS,
    });
  });

  it("is re-created when Redis loses its data, without a reconnect, and sweeps again", async () => {
    // A Redis of the test's own: FLUSHALL on the shared one would wipe the other tests' queues.
    const own = await OwnRedis.start();
    const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
    const redis = createRedis(own.url, "producer");
    const connection = createRedis(own.url, "worker");
    const maintenance = new Queue(QUEUE.maintenance, { connection: redis, prefix });
    let sweeps = 0;
    const workers = startWorkers({
      connection,
      prefix,
      processDelivery: async () => "skipped",
      runReview: async () => "not_queued",
      postReply: async () => {},
      sendAlert: async () => "skipped",
      sendBudgetWarning: async () => "skipped",
      sweep: async () => {
        sweeps++;
        return nothingSwept;
      },
      log,
      sweepEveryMs: EVERY_MS,
      sweepCheckEveryMs: 100,
    });
    cleanup.push(
      () => workers.close(),
      () => maintenance.close(),
      () => Promise.all([redis.quit(), connection.quit()]),
      () => own.stop(),
    );
    await eventually(() => sweeps >= 1);

    // All of Redis's data gone at once, the connections untouched (an operator's FLUSHALL).
    // The emptiness is read in the same transaction: the check runs every 100 ms and may
    // re-create the scheduler before a separate read would see it gone.
    const flushed = await redis.multi().flushall().dbsize().exec();
    expect(flushed?.[1]).toEqual([null, 0]);
    await eventually(
      async () => (await maintenance.getJobScheduler(SWEEP_SCHEDULER_ID)) !== undefined,
    );
    // Two sweeps, so that one in flight when the data went cannot pass for the new schedule.
    const before = sweeps;
    await eventually(() => sweeps >= before + 2);
    expect(await maintenance.getJobScheduler(SWEEP_SCHEDULER_ID)).toMatchObject({
      every: EVERY_MS,
    });
  });
});

describe("the redelivery schedule", () => {
  it("two worker processes on one prefix redeliver once per interval in total, each run one log line with its counts", async () => {
    const counts: RedeliveryReport = {
      ...NOTHING_REDELIVERED,
      listed: 7,
      failed: 2,
      redelivered: 2,
    };
    const logged = captureLog("info");
    let runs = 0;
    const started = Date.now();
    const { maintenance, sets } = twoWorkerProcesses({
      // The sweep out of the way: an hour.
      sweepEveryMs: 3_600_000,
      redeliver: async () => {
        runs++;
        return counts;
      },
      redeliverEveryMs: EVERY_MS,
      log: logged.log,
    });
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
