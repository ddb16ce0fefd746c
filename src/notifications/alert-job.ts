/**
 * The notifications queue: one job per low-balance level an entry crossed. Fields added
 * later start optional: jobs already waiting in Redis survive a deploy.
 */
import { z } from "zod";
import type { AlertLevel } from "../ledger/credits.js";
import { jobId } from "../queue/queues.js";

export const NOTIFICATIONS_QUEUE = "notifications" as const;

export const alertJobSchema = z.object({
  accountId: z.number().int().positive(),
  /** The ledger entry that crossed the level. */
  entryId: z.string().min(1),
  level: z.enum(["warning", "critical", "depleted"] as const satisfies readonly AlertLevel[]),
  /** The balance right after that entry (what the email reports). */
  balance: z.number().int().min(0),
});
export type AlertJob = z.infer<typeof alertJobSchema>;

/**
 * Emails wait out an SMTP outage: 8 attempts, 30 s doubling to 32 min, about an hour in all.
 * Kept a while so the job id still deduplicates a second add for the same crossing.
 */
export const ALERT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: "exponential", delay: 30_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
} as const;

/**
 * One job per (entry, level). Entry ids are unique in the database and the ledger calls
 * onEntry only for entries it created, so a replayed charge never queues a second email;
 * the job id also absorbs a repeated add while the job is kept.
 */
export function alertJobId(accountId: number, entryId: string, level: AlertJob["level"]): string {
  return jobId("alert", accountId, entryId, level);
}
