/**
 * The dashboard's session as a credential: a third way to authenticate, beside an API key and
 * a GitHub token in `Authorization`. The session (src/dashboard/session.ts) is an encrypted
 * cookie holding the signed-in user's GitHub token, so the same canAdminister rule decides
 * what it may see; the token never reaches the browser's JavaScript.
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
    /** This sign-in's own random id: its audit entries are written once per session by it. */
    sid: string;
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
  /** Absent in sessions made before sign-ins were audited. */
  sid?: string;
}

/** The signed-in session of this request; null without one (or when sign-in is not set up). */
export function sessionCredential(request: FastifyRequest): SessionCredential | null {
  // Without the session plugin (sign-in not configured) the request has no session at all.
  const session = (request as Partial<FastifyRequest>).session;
  if (!session) return null;
  const token = session.get("token");
  const user = session.get("user");
  const csrf = session.get("csrf");
  const sid = session.get("sid");
  return token && user && csrf ? { token, user, csrf, ...(sid ? { sid } : {}) } : null;
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
