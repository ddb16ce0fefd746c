import { randomUUID } from "node:crypto";
import type { ApiKey, ApiKeyStore, NewApiKey } from "../../accounts/api-key-store.js";
import type { AccountId } from "../../accounts/types.js";

/**
 * API keys in process memory. The hash is unique across accounts, as the MongoDB index makes
 * it; with 256 random bits per key a clash means a bug, so it throws.
 */
export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly byId = new Map<string, ApiKey>();
  private readonly byHash = new Map<string, ApiKey>();
  /** Strictly increasing, so "newest first" is well defined within one millisecond. */
  private clock = 0;

  async create(input: NewApiKey): Promise<ApiKey> {
    if (this.byHash.has(input.hash)) throw new Error("duplicate API key hash");
    const key: ApiKey = {
      ...input,
      id: randomUUID(),
      createdAt: this.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    this.byId.set(key.id, key);
    this.byHash.set(key.hash, key);
    return copyKey(key);
  }

  async findByHash(hash: string): Promise<ApiKey | null> {
    const key = this.byHash.get(hash);
    return key ? copyKey(key) : null;
  }

  async list(accountId: AccountId): Promise<ApiKey[]> {
    return [...this.byId.values()]
      .filter((k) => k.accountId === accountId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map(copyKey);
  }

  async revoke(accountId: AccountId, id: string): Promise<boolean> {
    const key = this.byId.get(id);
    if (!key || key.accountId !== accountId) return false;
    key.revokedAt ??= new Date();
    return true;
  }

  async markUsed(accountId: AccountId, id: string, at: Date): Promise<void> {
    const key = this.byId.get(id);
    if (key && key.accountId === accountId) key.lastUsedAt = new Date(at);
  }

  private now(): Date {
    this.clock = Math.max(this.clock + 1, Date.now());
    return new Date(this.clock);
  }
}

function copyKey(k: ApiKey): ApiKey {
  return {
    ...k,
    createdAt: new Date(k.createdAt),
    lastUsedAt: k.lastUsedAt ? new Date(k.lastUsedAt) : null,
    revokedAt: k.revokedAt ? new Date(k.revokedAt) : null,
  };
}
