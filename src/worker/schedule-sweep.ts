import type { Redis } from "ioredis";
import { jobOptions } from "../queue/job-options.js";
import { openQueue } from "../queue/open-queue.js";
import type { MaintenanceJob } from "../queue/queues.js";

/** One scheduler per queue prefix, however many worker processes upsert it. */
export const SWEEP_SCHEDULER_ID = "sweep-runs";
const SWEEP_JOB: MaintenanceJob = { task: "sweep_runs" };

/**
 * Puts the sweep on a BullMQ job scheduler rather than a timer in each process: the
 * scheduler lives in Redis and makes one job per interval, which one worker takes, so the
 * sweep runs once per interval however many worker processes run. Every worker process
 * upserts it at start: the same id keeps it one scheduler, and its waiting job keeps its
 * time; the last process to start sets the interval. A new scheduler's first sweep comes one
 * interval after it is created, as it did with the timer.
 */
export async function scheduleSweep(
  connection: Redis,
  prefix: string | undefined,
  everyMs: number,
): Promise<void> {
  const queue = openQueue("maintenance", connection, prefix);
  try {
    await queue.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { every: everyMs, startDate: Date.now() + everyMs },
      { name: SWEEP_JOB.task, data: SWEEP_JOB, opts: jobOptions("maintenance") },
    );
  } finally {
    await queue.close();
  }
}
