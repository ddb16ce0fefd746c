import { isObjectIdOrHexString, trusted } from "mongoose";
import {
  KEY_USE_RESOLUTION_MS,
  LISTED_REVOKED_KEYS,
  type ApiKey,
  type ApiKeyStore,
  type NewApiKey,
} from "../../accounts/api-key-store.js";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import { JasperError } from "../../shared/errors.js";
import type { ApiKeyDoc, ApiKeyModel } from "./models/api-key.js";

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * API keys in MongoDB; the unique indexes on `hash` and on (accountId, slot) are the guards
 * (models/api-key.ts).
 * Operator objects in filters are wrapped in mongoose.trusted(): the connection runs with
 * sanitizeFilter (see connect-mongo.ts).
 */
export class MongoApiKeyStore implements ApiKeyStore {
  constructor(private readonly keys: ApiKeyModel) {}

  async create(input: NewApiKey, maxActive: number): Promise<ApiKey | null> {
    // The cap is kept by the unique (accountId, slot) index: a new key takes the first slot
    // below the cap that no active key holds, in the same insert as the key. Two creations
    // that pick the same slot cannot both be inserted: the loser reads the slots again. A
    // counter document would need a second write (and a transaction, or a compensation that
    // a crash can skip) to stay equal to the keys; the slots are the keys themselves.
    // Each failed attempt means another creation took a slot, so attempts are bounded.
    for (let attempt = 0; attempt < 2 * maxActive + 10; attempt++) {
      const active = await this.keys
        .find({ accountId: input.accountId, revokedAt: null })
        .select({ _id: 1, slot: 1 })
        .lean<Pick<ApiKeyDoc, "_id" | "slot">[]>();
      const taken = new Set(active.map((k) => k.slot).filter((n) => typeof n === "number"));
      let free = 0;
      while (taken.has(free)) free++;
      if (free >= maxActive) return null;
      try {
        const unslotted = active.find((k) => typeof k.slot !== "number");
        if (unslotted) {
          // A key stored before slots takes its place first, so it counts against the cap.
          await this.keys.updateOne(
            { _id: unslotted._id, revokedAt: null, slot: trusted({ $exists: false }) },
            { $set: { slot: free } },
          );
          continue;
        }
        const created = await this.keys.insertOne({
          accountId: input.accountId,
          name: input.name,
          prefix: input.prefix,
          hash: input.hash,
          scope: input.scope,
          createdAt: new Date(),
          lastUsedAt: null,
          revokedAt: null,
          slot: free,
        });
        return toApiKey(created.toObject());
      } catch (err) {
        if (!isSlotTaken(err)) throw err;
      }
    }
    throw new JasperError("api_key_contention", "too many concurrent API key creations");
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
    // Its slot is given back in the same write (create() takes it for the next key).
    const updated = await this.keys.updateOne(
      { _id: id, accountId, revokedAt: null },
      { $set: { revokedAt: new Date() }, $unset: { slot: 1 } },
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

/** The duplicate key error of the (accountId, slot) index: another creation took the slot. */
function isSlotTaken(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, keyPattern } = err as { code?: unknown; keyPattern?: unknown };
  return (
    code === 11000 && typeof keyPattern === "object" && keyPattern !== null && "slot" in keyPattern
  );
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
