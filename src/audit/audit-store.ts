/**
 * The audit log's persistence port, implemented in src/store (memory, mongo) and checked by
 * test/contract/audit-store.contract.test.ts against each:
 *
 * - `append` inserts one entry, or, when the account already has an entry with that
 *   idempotency key, nothing, and returns the stored one (`created: false`). The key is
 *   unique per account in the database, so two concurrent writers record it once.
 * - Entries are never updated or deleted.
 * - Reads are scoped to one account and come newest first: (at, id) descending.
 */
import type { AccountId } from "../accounts/types.js";
import type { AuditAction, AuditEntry, NewAuditEntry } from "./types.js";

export interface AuditQuery {
  /** Only these actions; every action when absent or empty. */
  actions?: readonly AuditAction[] | undefined;
  /** at >= from */
  from?: Date | undefined;
  /** at < to */
  to?: Date | undefined;
  /** Only entries after this one in newest-first order (the cursor: its at and id). */
  before?: { at: Date; id: string } | undefined;
  limit: number;
}

export interface AuditStore {
  append(entry: NewAuditEntry): Promise<{ created: boolean; entry: AuditEntry }>;
  list(accountId: AccountId, query: AuditQuery): Promise<AuditEntry[]>;
}
