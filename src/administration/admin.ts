import type { AuditActor, AuditInterface } from "../audit/types.js";

/**
 * Who changes an account, as the audit log records it: the person (or key) and the interface
 * they came through. The caller has already checked that they may (an admin of the account);
 * the use cases here record what they did.
 */
export interface Admin {
  actor: AuditActor;
  interface: AuditInterface;
}
