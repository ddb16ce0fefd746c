/**
 * Ids of the notifications queue's jobs. The queue itself (payload schema, options) is
 * declared with the others in src/queue/queues.ts.
 */
import { jobId, type AlertJob } from "../queue/queues.js";

/**
 * One job per (entry, level). Entry ids are unique in the database and the ledger calls
 * onEntry only for entries it created, so a replayed charge never queues a second email;
 * the job id also absorbs a repeated add while the job is kept.
 */
export function alertJobId(accountId: number, entryId: string, level: AlertJob["level"]): string {
  return jobId("alert", accountId, entryId, level);
}
