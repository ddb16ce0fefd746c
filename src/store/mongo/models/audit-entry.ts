import { Schema, type Connection, type Model, type Types } from "mongoose";
import {
  AUDIT_ACTIONS,
  AUDIT_INTERFACES,
  type AuditActor,
  type AuditEntry,
} from "../../../audit/types.js";

/** An audit entry as stored: the domain entry with `_id` in place of `id`. */
export type AuditEntryDoc = Omit<AuditEntry, "id" | "accountId" | "actor"> & {
  _id: Types.ObjectId;
  accountId: number;
  actor: AuditActor;
};

const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

export const auditEntrySchema = new Schema<AuditEntryDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    at: { type: Date, required: true },
    // The actor's shape is checked by the audit log (src/audit/audit-log.ts) before it gets
    // here; stored as it is, a small object.
    actor: { type: Schema.Types.Mixed, required: true },
    action: { type: String, enum: [...AUDIT_ACTIONS], required: true },
    interface: { type: String, enum: [...AUDIT_INTERFACES], required: true },
    details: { type: Schema.Types.Mixed, default: {} },
    idempotencyKey: { type: String, required: true },
  },
  // minimize: false keeps an empty `details` as {} rather than dropping the field.
  { collection: "audit_entries", strict: true, versionKey: false, minimize: false },
);

// A redelivered webhook or retried operator action is recorded once: the database decides.
auditEntrySchema.index({ accountId: 1, idempotencyKey: 1 }, { unique: true });
// list(): an account's entries newest first, by date range; the cursor continues on (at, _id).
auditEntrySchema.index({ accountId: 1, at: -1, _id: -1 });
// list() filtered by action.
auditEntrySchema.index({ accountId: 1, action: 1, at: -1, _id: -1 });

export type AuditEntryModel = Model<AuditEntryDoc>;

/** Models belong to one connection; createMongoStore builds this one on its own. */
export const auditEntryModel = (conn: Connection): AuditEntryModel =>
  conn.model<AuditEntryDoc>("AuditEntry", auditEntrySchema);
