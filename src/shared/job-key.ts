/**
 * The key that names one handed-off job, so that a second hand-off of the same work is a
 * no-op: its parts joined with "-". The queue turns it into the id its library accepts
 * (src/queue/queues.ts, jobId); the domains only say which parts make the work the same.
 */
export function jobKey(...parts: (string | number)[]): string {
  return parts.join("-");
}
