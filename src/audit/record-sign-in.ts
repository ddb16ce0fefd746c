/**
 * For the dashboard: a sign-in is recorded once per session and account. GET /api/v1/me
 * records it when it lists the accounts the user may see (the callback that makes the session
 * does not know them), and runs on every page load: the key, from the session's own id, makes
 * every listing after the first write nothing.
 */
import type { AccountId } from "../accounts/types.js";
import type { AuditLog } from "./audit-log.js";
import type { AuditEntry } from "./types.js";

export const signInAuditKey = (sessionId: string): string => `sign_in:${sessionId}`;

export function recordSignIn(
  audit: Pick<AuditLog, "record">,
  input: { accountId: AccountId; user: { id: number; login: string }; sessionId: string },
): Promise<AuditEntry> {
  return audit.record({
    accountId: input.accountId,
    actor: { kind: "github_user", id: input.user.id, login: input.user.login },
    action: "sign_in",
    interface: "dashboard",
    idempotencyKey: signInAuditKey(input.sessionId),
  });
}
