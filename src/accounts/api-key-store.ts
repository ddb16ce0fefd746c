import type { AccountId } from "./types.js";

/**
 * What a key may do. `read`: the balance, history, settings and key list. `write`: that and
 * buying credits (checkout). Nothing a key holds can change settings or manage keys: that
 * takes an org admin's GitHub token (src/api/auth/authenticate.ts).
 */
export const API_KEY_SCOPES = ["read", "write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** An API key as stored: never the key itself, only its hash and a prefix to recognise it. */
export interface ApiKey {
  id: string;
  accountId: AccountId;
  name: string;
  /** The first characters of the key, for people to recognise it by. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  /** Keys stored before scopes existed read as "read". */
  scope: ApiKeyScope;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  accountId: AccountId;
  name: string;
  hash: string;
  prefix: string;
  scope: ApiKeyScope;
}

/** Revoked keys list() returns at most (the newest): history, not something to page through. */
export const LISTED_REVOKED_KEYS = 100;

/**
 * How fine lastUsedAt is: markUsed writes at most once per key in this time, so a busy CI
 * key does not cost a database write on every request.
 */
export const KEY_USE_RESOLUTION_MS = 60_000;

/**
 * Where API keys live. Every call but findByHash is scoped to one account; findByHash is how
 * a request finds out which account it belongs to (the hash is unique across accounts).
 */
export interface ApiKeyStore {
  /**
   * Stores a key unless the account already holds `maxActive` keys not revoked: null then.
   * The check and the insert are one step, so concurrent creations never end over the cap.
   */
  create(input: NewApiKey, maxActive: number): Promise<ApiKey | null>;
  findByHash(hash: string): Promise<ApiKey | null>;
  /**
   * Newest first: every active key, however many there are, and the newest
   * LISTED_REVOKED_KEYS revoked ones.
   */
  list(accountId: AccountId): Promise<ApiKey[]>;
  /** Keys not revoked, counted by the store (the cap on active keys is checked with this). */
  countActive(accountId: AccountId): Promise<number>;
  /** True when the key exists in this account (it is revoked now, or was already). */
  revoke(accountId: AccountId, id: string): Promise<boolean>;
  /**
   * Sets lastUsedAt to `at`, unless it is already less than KEY_USE_RESOLUTION_MS before
   * `at` (or after it): one conditional write, so concurrent requests write it once.
   */
  markUsed(accountId: AccountId, id: string, at: Date): Promise<void>;
}
