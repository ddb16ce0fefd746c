/**
 * Which dashboard sessions have ended before their time, kept in Redis (shared by every web
 * process). The session itself stays a cookie (session.ts); what is stored server-side is
 * only what ends one: a signed-out session's id, until the cookie would have expired anyway,
 * and per GitHub user "every session issued up to T has ended" (sign out everywhere), for one
 * session lifetime after T. Ids are stored hashed: Redis never holds anything of a cookie.
 */
import type { Redis } from "ioredis";
import { sha256 } from "../accounts/api-keys.js";
import { withQueueTimeLimit } from "../queue/with-time-limit.js";

/** What a session carries that says which one it is, whose, and since when. */
export interface IssuedSession {
  sid: string;
  /** The GitHub user's id. */
  userId: number;
  /** When it was issued, ms since the epoch. */
  issuedAt: number;
}

export interface SessionRevocations {
  /** Whether the session has been ended. Rejects when Redis cannot answer: never a guess. */
  check(session: IssuedSession): Promise<"valid" | "revoked">;
  /** Ends this one session (sign-out). */
  revoke(session: IssuedSession): Promise<void>;
  /** Ends every session of the user issued at or before `at` (sign out everywhere). */
  revokeAllOf(userId: number, at: number): Promise<void>;
}

export interface RevocationOptions {
  /** Key prefix (per deployment, per test). */
  prefix: string;
  /** SESSION_HOURS: how long a session lives at most. */
  hours: number;
  /** An answer later than this is a failure (a Redis that hangs must not hang sign-in). */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * The cookie's own expiry counts from a time rounded to the second, a moment after
 * issuedAt: a record outlives the session by this much, so it never ends first.
 */
const MARGIN_MS = 60_000;

/** Keeps the later of the stored cut and the new one: sessions ended stay ended. */
const RAISE_CUT = `
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

export function createSessionRevocations(redis: Redis, o: RevocationOptions): SessionRevocations {
  const lifetimeMs = o.hours * 3600_000;
  const now = o.now ?? Date.now;
  const timeoutMs = o.timeoutMs ?? 2_000;
  const revokedKey = (sid: string) => `${o.prefix}:session:revoked:${sha256(sid)}`;
  const cutKey = (userId: number) => `${o.prefix}:session:ended-before:${userId}`;

  return {
    async check(session) {
      const [revoked, cut] = await withQueueTimeLimit(
        redis.mget(revokedKey(session.sid), cutKey(session.userId)),
        timeoutMs,
        "session check",
      );
      if (revoked !== null && revoked !== undefined) return "revoked";
      if (cut && session.issuedAt <= Number(cut)) return "revoked";
      return "valid";
    },
    async revoke(session) {
      const left = session.issuedAt + lifetimeMs + MARGIN_MS - now();
      if (left <= 0) return;
      await withQueueTimeLimit(
        redis.set(revokedKey(session.sid), "1", "PX", Math.ceil(left)),
        timeoutMs,
        "sign-out",
      );
    },
    async revokeAllOf(userId, at) {
      await withQueueTimeLimit(
        redis.eval(RAISE_CUT, 1, cutKey(userId), String(at), String(lifetimeMs + MARGIN_MS)),
        timeoutMs,
        "sign out everywhere",
      );
    },
  };
}
