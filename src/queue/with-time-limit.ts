import { JasperError } from "../shared/errors.js";
import { withTimeLimit } from "../shared/with-time-limit.js";

/** Redis did not take a job in time; nothing about the job is known (it may still arrive). */
export class QueueUnavailableError extends JasperError {
  constructor(what: string, ms: number) {
    super("queue_unavailable", `${what}: Redis did not answer within ${ms} ms`);
  }
}

/**
 * Bounds a queue call. With Redis down ioredis keeps commands in its offline queue, so an add
 * would otherwise wait (and a webhook with it) until GitHub gives up on the delivery. A call
 * that times out may still go through later: every job id is idempotent, so that is harmless,
 * and the caller's own recovery (GitHub's redelivery, the sweeper) covers it not arriving.
 */
export function withQueueTimeLimit<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeLimit(work, ms, () => new QueueUnavailableError(what, ms));
}
