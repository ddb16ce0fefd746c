import { createHash, randomBytes } from "node:crypto";

/**
 * Jasper API keys: `jsp_` and 32 random bytes in base64url (43 characters). Only the SHA-256
 * of a key is stored; the key itself is shown once, when it is created. A fast hash is
 * enough here (unlike passwords): the key is 256 random bits, so there is nothing to guess.
 */
export const API_KEY_PREFIX = "jsp_";
const API_KEY_PATTERN = /^jsp_[A-Za-z0-9_-]{43}$/;
/** How much of a key is kept in clear to tell keys apart in a list: `jsp_` and 8 characters. */
const SHOWN_LENGTH = API_KEY_PREFIX.length + 8;

export interface GeneratedKey {
  key: string;
  hash: string;
  prefix: string;
}

export function generateApiKey(): GeneratedKey {
  const key = API_KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, hash: hashApiKey(key), prefix: key.slice(0, SHOWN_LENGTH) };
}

export const looksLikeApiKey = (token: string): boolean => token.startsWith(API_KEY_PREFIX);
export const isWellFormedApiKey = (token: string): boolean => API_KEY_PATTERN.test(token);

export const hashApiKey = (key: string): string => sha256(key);

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
