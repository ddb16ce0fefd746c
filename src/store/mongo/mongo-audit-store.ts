import { trusted, Types } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type { AuditQuery, AuditStore } from "../../audit/audit-store.js";
import type { AuditEntry, NewAuditEntry } from "../../audit/types.js";
import type { AuditEntryDoc, AuditEntryModel } from "./models/audit-entry.js";

const NEWEST_FIRST = { at: -1, _id: -1 } as const;

/**
 * The audit log in MongoDB; the unique index on (accountId, idempotencyKey)
 * (models/audit-entry.ts) makes a second record of one action a no-op. Operator objects in
 * filters are wrapped in mongoose.trusted(): the connection runs with sanitizeFilter.
 */
export class MongoAuditStore implements AuditStore {
  constructor(private readonly entries: AuditEntryModel) {}

  async append(input: NewAuditEntry): Promise<{ created: boolean; entry: AuditEntry }> {
    try {
      const created = await this.entries.insertOne({ ...input });
      return { created: true, entry: toEntry(created.toObject()) };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await this.entries
        .findOne({ accountId: input.accountId, idempotencyKey: input.idempotencyKey })
        .lean<AuditEntryDoc>();
      if (!existing) throw err;
      return { created: false, entry: toEntry(existing) };
    }
  }

  async list(accountId: AccountId, q: AuditQuery): Promise<AuditEntry[]> {
    if (q.limit <= 0) return [];
    const filter: Record<string, unknown> = { accountId };
    if (q.actions?.length) filter.action = trusted({ $in: [...q.actions] });
    const at: Record<string, Date> = {};
    if (q.from) at.$gte = q.from;
    if (q.to) at.$lt = q.to;
    if (Object.keys(at).length > 0) filter.at = trusted(at);
    if (q.before) {
      // The cursor's id is 24 hex digits (checked by decodeAuditCursor), an ObjectId.
      const id = new Types.ObjectId(q.before.id);
      filter.$or = [
        { at: trusted({ $lt: q.before.at }) },
        { at: q.before.at, _id: trusted({ $lt: id }) },
      ];
    }
    const docs = await this.entries
      .find(filter)
      .sort(NEWEST_FIRST)
      .limit(q.limit)
      .lean<AuditEntryDoc[]>();
    return docs.map(toEntry);
  }
}

function toEntry(doc: AuditEntryDoc): AuditEntry {
  return {
    id: doc._id.toHexString(),
    accountId: toAccountId(doc.accountId),
    at: doc.at,
    actor: doc.actor,
    action: doc.action,
    interface: doc.interface,
    details: doc.details ?? {},
    idempotencyKey: doc.idempotencyKey,
  };
}

/** A duplicate key error (code 11000) on the (accountId, idempotencyKey) index. */
function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, keyPattern } = err as { code?: unknown; keyPattern?: unknown };
  return (
    code === 11000 &&
    typeof keyPattern === "object" &&
    keyPattern !== null &&
    "idempotencyKey" in keyPattern
  );
}
