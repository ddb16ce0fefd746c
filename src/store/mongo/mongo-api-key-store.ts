import { isObjectIdOrHexString } from "mongoose";
import type { ApiKey, ApiKeyStore, NewApiKey } from "../../accounts/api-key-store.js";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type { ApiKeyDoc, ApiKeyModel } from "./models/api-key.js";

/** Keys per account that list() returns at most; the API caps active keys far below this. */
const LIST_LIMIT = 200;

/** API keys in MongoDB; the unique index on `hash` (models/api-key.ts) is the only guard. */
export class MongoApiKeyStore implements ApiKeyStore {
  constructor(private readonly keys: ApiKeyModel) {}

  async create(input: NewApiKey): Promise<ApiKey> {
    const created = await this.keys.insertOne({
      ...input,
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
    const docs = await this.keys
      .find({ accountId })
      .sort({ createdAt: -1, _id: -1 })
      .limit(LIST_LIMIT)
      .lean<ApiKeyDoc[]>();
    return docs.map(toApiKey);
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
    await this.keys.updateOne({ _id: id, accountId }, { $set: { lastUsedAt: at } });
  }
}

function toApiKey(doc: ApiKeyDoc): ApiKey {
  return {
    id: doc._id.toHexString(),
    accountId: toAccountId(doc.accountId),
    name: doc.name,
    prefix: doc.prefix,
    hash: doc.hash,
    createdAt: doc.createdAt,
    lastUsedAt: doc.lastUsedAt ?? null,
    revokedAt: doc.revokedAt ?? null,
  };
}
