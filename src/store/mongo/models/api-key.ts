import { Schema, type Connection, type Model, type Types } from "mongoose";
import { API_KEY_SCOPES, type ApiKey, type ApiKeyScope } from "../../../accounts/api-key-store.js";

/** An API key as stored: the domain ApiKey with `_id` in place of `id`. Never the key itself. */
export type ApiKeyDoc = Omit<ApiKey, "id" | "accountId" | "scope"> & {
  _id: Types.ObjectId;
  accountId: number;
  /** Absent on keys stored before scopes existed: those read as "read" (the store's toApiKey). */
  scope?: ApiKeyScope;
  /**
   * The key's place under the account's cap on active keys, 0 to the cap - 1: unique per
   * account while the key is active, removed when it is revoked. Absent on keys revoked, and
   * on keys stored before slots until a creation gives them one (mongo-api-key-store.ts).
   */
  slot?: number;
};

const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

export const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    name: { type: String, required: true },
    prefix: { type: String, required: true },
    hash: { type: String, required: true },
    // Required for new keys; no default, so that a key stored before it reads as what it was
    // (read) and is never given a scope by a read-modify-write.
    scope: { type: String, enum: [...API_KEY_SCOPES], required: true },
    // Set by the store, so no timestamps option.
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    slot: { type: Number, validate: integer },
  },
  { collection: "api_keys", strict: true, versionKey: false },
);

// findByHash() on every API request; unique, so one key can never open two accounts.
apiKeySchema.index({ hash: 1 }, { unique: true });
// list()'s revoked keys, newest first; also every revoke() and markUsed() (by _id, scoped to
// the account).
apiKeySchema.index({ accountId: 1, createdAt: -1 });
// countActive(), and list()'s active keys, newest first: `revokedAt: null` is an equality.
apiKeySchema.index({ accountId: 1, revokedAt: 1, createdAt: -1 });

// The cap on active keys: at most one active key per (account, slot), and create() only
// takes slots below the cap, so no two concurrent creations can both take the last place.
// Partial: revoked keys (slot removed) and keys from before slots are not in it.
apiKeySchema.index(
  { accountId: 1, slot: 1 },
  { unique: true, partialFilterExpression: { slot: { $type: "number" } } },
);

export type ApiKeyModel = Model<ApiKeyDoc>;

/** Models belong to one connection; createMongoStore builds this one on its own. */
export const apiKeyModel = (conn: Connection): ApiKeyModel =>
  conn.model<ApiKeyDoc>("ApiKey", apiKeySchema);
