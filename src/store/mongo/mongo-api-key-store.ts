import { isObjectIdOrHexString, trusted } from "mongoose";
import {
  KEY_USE_RESOLUTION_MS,
  LISTED_REVOKED_KEYS,
  type ApiKey,
  type ApiKeyStore,
  type NewApiKey,
} from "../../accounts/api-key-store.js";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type { ApiKeyDoc, ApiKeyModel } from "./models/api-key.js";

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * API keys in MongoDB; the unique index on `hash` (models/api-key.ts) is the only guard.
 * Operator objects in filters are wrapped in mongoose.trusted(): the connection runs with
 * sanitizeFilter (see connect-mongo.ts).
 */
export class MongoApiKeyStore implements ApiKeyStore {
  constructor(private readonly keys: ApiKeyModel) {}

  async create(input: NewApiKey): Promise<ApiKey> {
    const created = await this.keys.insertOne({
      accountId: input.accountId,
      name: input.name,
      prefix: input.prefix,
      hash: input.hash,
      scope: input.scope,
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    return toApiKey(created.toObject());
  }

  async findByHash(hash: string): Promise<ApiKey | null> {
    const doc = await this.keys.findOne({ hash }).lean<ApiKeyDoc>();
    return doc ? toApiKey(doc) : null;
  }

  async list(accountId: AccountId): Promise<ApiKey[]> {
    // Two queries, so that no number of revoked keys can push an active one off the list.
    // The active ones are few (the API caps them); the revoked ones are history, bounded.
    const [active, revoked] = await Promise.all([
      this.keys.find({ accountId, revokedAt: null }).sort(NEWEST_FIRST).lean<ApiKeyDoc[]>(),
      this.keys
        .find({ accountId, revokedAt: trusted({ $ne: null }) })
        .sort(NEWEST_FIRST)
        .limit(LISTED_REVOKED_KEYS)
        .lean<ApiKeyDoc[]>(),
    ]);
    // A key revoked between the two queries can be in both: the revoked copy wins.
    const byId = new Map<string, ApiKey>();
    for (const doc of [...active, ...revoked]) byId.set(doc._id.toHexString(), toApiKey(doc));
    return [...byId.values()].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : 1),
    );
  }

  async countActive(accountId: AccountId): Promise<number> {
    return this.keys.countDocuments({ accountId, revokedAt: null });
  }

  async revoke(accountId: AccountId, id: string): Promise<boolean> {
    // Ids come from URLs; one that is not an ObjectId cannot exist, and casting it would throw.
    if (!isObjectIdOrHexString(id)) return false;
    // Only a key not yet revoked gets a date, so the first revocation's time is kept.
    const updated = await this.keys.updateOne(
      { _id: id, accountId, revokedAt: null },
      { $set: { revokedAt: new Date() } },
    );
    if (updated.matchedCount > 0) return true;
    return (await this.keys.exists({ _id: id, accountId })) !== null;
  }

  async markUsed(accountId: AccountId, id: string, at: Date): Promise<void> {
    if (!isObjectIdOrHexString(id)) return;
    // The "not within the last minute" test is in the filter: one atomic call, and a key
    // used by many requests at once is written by one of them; the others match nothing.
    const due = new Date(at.getTime() - KEY_USE_RESOLUTION_MS);
    await this.keys.updateOne(
      { _id: id, accountId, $or: [{ lastUsedAt: null }, { lastUsedAt: trusted({ $lte: due }) }] },
      { $set: { lastUsedAt: at } },
    );
  }
}

function toApiKey(doc: ApiKeyDoc): ApiKey {
  return {
    id: doc._id.toHexString(),
    accountId: toAccountId(doc.accountId),
    name: doc.name,
    prefix: doc.prefix,
    hash: doc.hash,
    // Only what says "write" writes: a key stored before scopes (no field) reads as read.
    scope: doc.scope === "write" ? "write" : "read",
    createdAt: doc.createdAt,
    lastUsedAt: doc.lastUsedAt ?? null,
    revokedAt: doc.revokedAt ?? null,
  };
}
