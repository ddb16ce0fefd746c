/**
 * The dashboard's session as a credential: a third way to authenticate, beside an API key and
 * a GitHub token in `Authorization`. The session (src/dashboard/session.ts) is an encrypted
 * cookie holding the signed-in user's GitHub token, so the same canAdminister rule decides
 * what it may see; the token never reaches the browser's JavaScript.
 *
 * A cookie alone is not enough: a copy outlives a sign-out. So a session counts only once the
 * dashboard's onRequest hook (src/dashboard/check-session.ts) has found it not revoked in
 * Redis, for this very request; anything it did not confirm is no session at all.
 */
import type { FastifyRequest } from "fastify";
import type { GitHubUser } from "./github-auth.js";

declare module "@fastify/secure-session" {
  interface SessionData {
    /** The user's GitHub token (from the App's user authorization). */
    token: string;
    user: GitHubUser;
    /** The CSRF token the dashboard sends back in CSRF_HEADER on every change. */
    csrf: string;
    /** This sign-in's own random id: what a sign-out revokes; its audit entries' key. */
    sid: string;
    /** When this sign-in was made (ms since the epoch): what "sign out everywhere" ends by. */
    issuedAt: number;
    /** Between "Sign in" and GitHub's callback: the OAuth `state` and where to go after. */
    oauthState: string;
    returnTo: string;
  }
}

/** The header a session's state-changing request must carry, equal to the session's `csrf`. */
export const CSRF_HEADER = "x-csrf-token";

export interface SessionCredential {
  token: string;
  user: GitHubUser;
  csrf: string;
  sid: string;
  issuedAt: number;
}

/** A signed-in session as its cookie holds it, not yet checked; sid and issuedAt may lack. */
export type StoredSession = Omit<SessionCredential, "sid" | "issuedAt"> &
  Partial<Pick<SessionCredential, "sid" | "issuedAt">>;

/** What the hook found for this request: not revoked, or Redis could not say. */
export type SessionCheck = "valid" | "unavailable";
const checks = new WeakMap<FastifyRequest, SessionCheck>();

/** For the dashboard's hook only: what it found of this request's session. */
export function recordSessionCheck(request: FastifyRequest, check: SessionCheck): void {
  checks.set(request, check);
}

/** The cookie's signed-in session, unchecked; null without one (or when sign-in is off). */
export function storedSession(request: FastifyRequest): StoredSession | null {
  // Without the session plugin (sign-in not configured) the request has no session at all.
  const session = (request as Partial<FastifyRequest>).session;
  if (!session) return null;
  const token = session.get("token");
  const user = session.get("user");
  const csrf = session.get("csrf");
  const sid = session.get("sid");
  const issuedAt = session.get("issuedAt");
  return token && user && csrf ? { token, user, csrf, sid, issuedAt } : null;
}

/** The signed-in session of this request, checked not revoked; null otherwise. */
export function sessionCredential(request: FastifyRequest): SessionCredential | null {
  if (checks.get(request) !== "valid") return null;
  const stored = storedSession(request);
  if (!stored?.sid || typeof stored.issuedAt !== "number") return null;
  return { ...stored, sid: stored.sid, issuedAt: stored.issuedAt };
}

/** Whether the request carries a session that Redis could not check (answered 503). */
export function sessionUncheckable(request: FastifyRequest): boolean {
  return checks.get(request) === "unavailable";
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Double-submit check: a cookie is sent by the browser whoever made the page, so a change
 * made with one must also carry the session's CSRF token, which only our own pages can read
 * (from GET /api/v1/me, same origin).
 */
export function csrfHolds(request: FastifyRequest, session: SessionCredential): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  const sent = request.headers[CSRF_HEADER];
  return typeof sent === "string" && sent.length > 0 && sent === session.csrf;
}
