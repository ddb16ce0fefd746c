import type { AccountId } from "../../accounts/types.js";
import type { AuditQuery, AuditStore } from "../../audit/audit-store.js";
import type { AuditEntry, NewAuditEntry } from "../../audit/types.js";

/**
 * The audit log in process memory. Ids are 24 hex digits that grow with every append, like
 * an ObjectId from one process, so (at, id) orders entries as the MongoDB store does.
 */
export class MemoryAuditStore implements AuditStore {
  private readonly entries: AuditEntry[] = [];
  private counter = 0;

  async append(input: NewAuditEntry): Promise<{ created: boolean; entry: AuditEntry }> {
    const existing = this.entries.find(
      (e) => e.accountId === input.accountId && e.idempotencyKey === input.idempotencyKey,
    );
    if (existing) return { created: false, entry: copy(existing) };
    const entry: AuditEntry = { ...copy({ ...input, id: "" }), id: this.nextId() };
    this.entries.push(entry);
    return { created: true, entry: copy(entry) };
  }

  async list(accountId: AccountId, q: AuditQuery): Promise<AuditEntry[]> {
    const newestFirst = (a: AuditEntry, b: AuditEntry) =>
      b.at.getTime() - a.at.getTime() || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);
    return this.entries
      .filter((e) => e.accountId === accountId)
      .filter((e) => !q.actions?.length || q.actions.includes(e.action))
      .filter((e) => !q.from || e.at >= q.from)
      .filter((e) => !q.to || e.at < q.to)
      .filter((e) => !q.before || newestFirst(q.before as AuditEntry, e) < 0)
      .sort(newestFirst)
      .slice(0, Math.max(q.limit, 0))
      .map(copy);
  }

  private nextId(): string {
    this.counter += 1;
    return this.counter.toString(16).padStart(24, "0");
  }
}

function copy(e: AuditEntry): AuditEntry {
  return {
    ...e,
    at: new Date(e.at),
    actor: { ...e.actor },
    details: structuredClone(e.details),
  };
}
