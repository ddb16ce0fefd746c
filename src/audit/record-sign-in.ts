/**
 * For the dashboard: a sign-in is recorded with this once the session is made (the dashboard
 * calls it; nothing else signs people in).
 */
import type { AccountId } from "../accounts/types.js";
import type { AuditLog } from "./audit-log.js";
import type { AuditEntry } from "./types.js";

export function recordSignIn(
  audit: Pick<AuditLog, "record">,
  input: { accountId: AccountId; user: { id: number; login: string } },
): Promise<AuditEntry> {
  return audit.record({
    accountId: input.accountId,
    actor: { kind: "github_user", id: input.user.id, login: input.user.login },
    action: "sign_in",
    interface: "dashboard",
  });
}
