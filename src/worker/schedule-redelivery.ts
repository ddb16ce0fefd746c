import type { MaintenanceJob } from "../queue/queues.js";
import { keepScheduled, type SweepSchedule, type SweepScheduleOptions } from "./schedule-sweep.js";

/** One scheduler per queue prefix, however many worker processes upsert it. */
export const REDELIVERY_SCHEDULER_ID = "redeliver-failed";
const REDELIVERY_JOB: MaintenanceJob = { task: "redeliver_failed" };

/**
 * The redelivery of failed webhook deliveries (src/github/redeliver-failed.ts) on its own
 * BullMQ job scheduler, kept like the sweep's (schedule-sweep.ts): one job per interval across
 * every worker process, put back when Redis lost it.
 */
export function keepRedeliveryScheduled(o: SweepScheduleOptions): SweepSchedule {
  return keepScheduled(o, {
    schedulerId: REDELIVERY_SCHEDULER_ID,
    job: REDELIVERY_JOB,
    what: "redelivery",
  });
}
