import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QUEUES, type JobPayloads, type QueueName } from "./queues.js";

/** Default Redis key prefix of every queue; tests (and several deployments) pass their own. */
export const DEFAULT_PREFIX = "jasper";

/** A queue of QUEUES, typed by its payload. Closing it leaves the shared connection open. */
export function openQueue<N extends QueueName>(
  queue: N,
  connection: Redis,
  prefix: string = DEFAULT_PREFIX,
): Queue<JobPayloads[N]> {
  return new Queue<JobPayloads[N]>(QUEUES[queue].name, { connection, prefix });
}
