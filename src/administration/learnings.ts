import type { AccountId } from "../accounts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { LearningStore } from "../learnings/learning-store.js";
import type { Learning } from "../learnings/types.js";
import type { Admin } from "./admin.js";

export interface LearningAdminDeps {
  learnings: Pick<LearningStore, "remove">;
  audit: Pick<AuditLog, "record">;
}

/**
 * Deletes one of the account's learnings and records who did, with what it said (the audit
 * entry is what remains of it). Null when the account has no learning with that id: another
 * account's id is as unknown as a made-up one.
 */
export async function deleteLearning(
  deps: LearningAdminDeps,
  accountId: AccountId,
  admin: Admin,
  id: string,
): Promise<Learning | null> {
  const removed = await deps.learnings.remove(accountId, id);
  if (!removed) return null;
  await deps.audit.record({
    accountId,
    actor: admin.actor,
    action: "learning_deleted",
    interface: admin.interface,
    details: {
      learning: removed.id,
      scope: removed.scope,
      repository: removed.repository,
      text: removed.text,
      ...(removed.rule ? { rule: removed.rule, paths: removed.paths } : {}),
      taughtBy: removed.author.login,
    },
    idempotencyKey: `learning-deleted:${removed.id}`,
  });
  return removed;
}
