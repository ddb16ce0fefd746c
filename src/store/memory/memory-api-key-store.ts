import { randomUUID } from "node:crypto";
import {
  KEY_USE_RESOLUTION_MS,
  LISTED_REVOKED_KEYS,
  type ApiKey,
  type ApiKeyStore,
  type NewApiKey,
} from "../../accounts/api-key-store.js";
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

  async create(input: NewApiKey, maxActive: number): Promise<ApiKey | null> {
    if (this.byHash.has(input.hash)) throw new Error("duplicate API key hash");
    // No await between the count and the insert: one step, as the contract asks.
    if (this.activeCount(input.accountId) >= maxActive) return null;
    const key: ApiKey = {
      id: randomUUID(),
      accountId: input.accountId,
      name: input.name,
      prefix: input.prefix,
      hash: input.hash,
      scope: input.scope,
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
    const newestFirst = this.keysOf(accountId).sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime(),
    );
    // As the MongoDB store does it: all active keys, and only the newest revoked ones.
    const active = newestFirst.filter((k) => !k.revokedAt);
    const revoked = newestFirst.filter((k) => k.revokedAt).slice(0, LISTED_REVOKED_KEYS);
    return [...active, ...revoked]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map(copyKey);
  }

  async countActive(accountId: AccountId): Promise<number> {
    return this.activeCount(accountId);
  }

  private activeCount(accountId: AccountId): number {
    return this.keysOf(accountId).filter((k) => !k.revokedAt).length;
  }

  async revoke(accountId: AccountId, id: string): Promise<boolean> {
    const key = this.byId.get(id);
    if (!key || key.accountId !== accountId) return false;
    key.revokedAt ??= new Date();
    return true;
  }

  async markUsed(accountId: AccountId, id: string, at: Date): Promise<void> {
    const key = this.byId.get(id);
    if (!key || key.accountId !== accountId) return;
    const last = key.lastUsedAt;
    if (last && last.getTime() > at.getTime() - KEY_USE_RESOLUTION_MS) return;
    key.lastUsedAt = new Date(at);
  }

  private keysOf(accountId: AccountId): ApiKey[] {
    return [...this.byId.values()].filter((k) => k.accountId === accountId);
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
