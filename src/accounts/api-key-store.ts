import type { AccountId } from "./types.js";

/** An API key as stored: never the key itself, only its hash and a prefix to recognise it. */
export interface ApiKey {
  id: string;
  accountId: AccountId;
  name: string;
  /** The first characters of the key, for people to recognise it by. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  accountId: AccountId;
  name: string;
  hash: string;
  prefix: string;
}

/**
 * Where API keys live. Every call but findByHash is scoped to one account; findByHash is how
 * a request finds out which account it belongs to (the hash is unique across accounts).
 */
export interface ApiKeyStore {
  create(input: NewApiKey): Promise<ApiKey>;
  findByHash(hash: string): Promise<ApiKey | null>;
  /** Newest first, revoked ones included. */
  list(accountId: AccountId): Promise<ApiKey[]>;
  /** True when the key exists in this account (it is revoked now, or was already). */
  revoke(accountId: AccountId, id: string): Promise<boolean>;
  markUsed(accountId: AccountId, id: string, at: Date): Promise<void>;
}
