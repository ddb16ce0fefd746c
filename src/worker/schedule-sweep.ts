import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { isConnectionError } from "../queue/connection-error.js";
import { closeQueue } from "../queue/close-queue.js";
import { jobOptions } from "../queue/job-options.js";
import { openQueue } from "../queue/open-queue.js";
import type { MaintenanceJob } from "../queue/queues.js";

/** One scheduler per queue prefix, however many worker processes upsert it. */
export const SWEEP_SCHEDULER_ID = "sweep-runs";
const SWEEP_JOB: MaintenanceJob = { task: "sweep_runs" };

export interface SweepScheduleOptions {
  /** The worker connection: it waits out Redis being down instead of failing. */
  connection: Redis;
  prefix?: string;
  everyMs: number;
  /** How often this process checks that the scheduler is still in Redis; default everyMs. */
  checkEveryMs?: number;
  log: Logger;
}

export interface SweepSchedule {
  /** Stops checking; the scheduler stays in Redis for the other worker processes. */
  close(): Promise<void>;
}

/** A maintenance task on a job scheduler of its own: which, and what the logs call it. */
export interface ScheduledTask {
  schedulerId: string;
  job: MaintenanceJob;
  /** "sweep", "redelivery": what the log lines say. */
  what: string;
}

/**
 * Puts the sweep on a BullMQ job scheduler rather than a timer in each process: the
 * scheduler lives in Redis and makes one job per interval, which one worker takes, so the
 * sweep runs once per interval however many worker processes run. Every worker process
 * upserts it at start: the same id keeps it one scheduler, and its waiting job keeps its
 * time; the last process to start sets the interval. A new scheduler's first sweep comes one
 * interval after it is created, as it did with the timer.
 *
 * The scheduler is only data in Redis: a Redis restarted empty, a failover to an empty
 * replica or a FLUSHALL loses it, and with it every sweep to come, so charged runs whose jobs
 * were lost with it would wait for an operator. So each process puts it back when it is
 * missing: after every reconnect and every checkEveryMs (a FLUSHALL drops no connection).
 * Only a missing one is put back, so processes started with different intervals do not
 * take turns resetting it.
 */
export function keepSweepScheduled(o: SweepScheduleOptions): SweepSchedule {
  return keepScheduled(o, { schedulerId: SWEEP_SCHEDULER_ID, job: SWEEP_JOB, what: "sweep" });
}

/** keepSweepScheduled for any maintenance task: the same scheduler, kept the same way. */
export function keepScheduled(o: SweepScheduleOptions, task: ScheduledTask): SweepSchedule {
  const { schedulerId, job, what } = task;
  const queue = openQueue("maintenance", o.connection, o.prefix);
  // BullMQ re-emits the connection's errors here; without a listener it prints each one.
  queue.on("error", (err) => {
    if (!isConnectionError(err)) o.log.error({ err: err.message }, `${what} scheduler error`);
  });
  const upsert = () =>
    queue.upsertJobScheduler(
      schedulerId,
      { every: o.everyMs, startDate: Date.now() + o.everyMs },
      { name: job.task, data: job, opts: jobOptions("maintenance") },
    );
  let closed = false;
  /** Whether the queue has made its JobScheduler, which its close() leaves open (BullMQ 5). */
  let schedulerOpened = false;
  let inFlight: Promise<void> | null = null;

  const run = (work: () => Promise<void>) => {
    // One at a time: a check waiting out Redis being down runs as soon as it is back.
    if (closed || inFlight) return;
    inFlight = work()
      .catch((err: Error) => {
        if (!closed) o.log.error({ err: err.message }, `${what} not scheduled`);
      })
      .finally(() => {
        inFlight = null;
      });
  };
  const putBackIfMissing = async () => {
    const existing = await queue.getJobScheduler(schedulerId);
    schedulerOpened = true;
    if (existing || closed) return;
    await upsert();
    o.log.warn(
      { scheduler: schedulerId, everyMs: o.everyMs },
      `the ${what}'s scheduler was missing from Redis (its data was lost): scheduled it again`,
    );
  };

  run(async () => {
    await upsert();
    schedulerOpened = true;
  });
  const onReady = () => run(putBackIfMissing);
  o.connection.on("ready", onReady);
  const timer = setInterval(() => run(putBackIfMissing), o.checkEveryMs ?? o.everyMs);
  timer.unref();

  return {
    async close() {
      closed = true;
      clearInterval(timer);
      o.connection.off("ready", onReady);
      // A check still waiting for Redis would hold shutdown until Redis is back: only a
      // connected one is waited for (it ends in a moment); the other is dropped.
      if (o.connection.status === "ready") await inFlight;
      if (schedulerOpened) await closeQueue(await queue.jobScheduler);
      await closeQueue(queue);
    },
  };
}
