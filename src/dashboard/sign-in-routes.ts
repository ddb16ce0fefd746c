/**
 * Sign in with GitHub: the App's user authorization (OAuth web flow), with
 * @octokit/oauth-methods. GitHub Enterprise Server is honoured through config.github. The
 * token GitHub gives goes into the encrypted session only: never to the log, never to the
 * browser. Signing out ends the session server-side (session-revocations.ts), so a copy of
 * the cookie is refused too, and asks GitHub to revoke the token.
 */
import { randomBytes } from "node:crypto";
import {
  deleteToken,
  exchangeWebFlowCode,
  getWebFlowAuthorizationUrl,
} from "@octokit/oauth-methods";
import { request as octokitRequest } from "@octokit/request";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { GitHubAuth } from "../api/auth/github-auth.js";
import {
  csrfHolds,
  sessionCredential,
  sessionUncheckable,
  type SessionCredential,
} from "../api/auth/session-credential.js";
import type { GitHubUrls } from "../config/env.js";
import type { SessionRevocations } from "./session-revocations.js";

export const DASHBOARD_HOME = "/billing";

export interface SignInOptions {
  clientId: string;
  clientSecret: string;
  publicUrl: string;
  github: GitHubUrls;
  /** Identifies the token's user (the billing API's check, with its cache). */
  githubAuth: Pick<GitHubAuth, "identify">;
  /** Where sign-outs are recorded (Redis). */
  sessions: Pick<SessionRevocations, "revoke" | "revokeAllOf">;
}

/** How long GitHub may take to revoke a token before sign-out goes on without it. */
const TOKEN_REVOCATION_TIMEOUT_MS = 10_000;

type Failure = { status: number; code: string; message: string };
const CSRF_FAILED: Failure = { status: 403, code: "csrf_failed", message: "Reload the page" };
const NOT_SIGNED_IN: Failure = { status: 401, code: "unauthorized", message: "Not signed in" };
/** Redis could not record (or check) the sign-out: the session stays, so it can be retried. */
const SIGN_OUT_FAILED: Failure = {
  status: 503,
  code: "sign_out_failed",
  message: "Signing out could not be recorded just now; you are still signed in. Try again.",
};
const fail = (reply: FastifyReply, f: Failure) =>
  reply.code(f.status).send({ error: { code: f.code, message: f.message } });

const randomToken = () => randomBytes(32).toString("base64url");

/** Only a dashboard page: anything else (another host, //evil) would be an open redirect. */
function safeReturn(value: unknown): string {
  return typeof value === "string" && /^\/billing(\/[\w/-]*)?$/.test(value)
    ? value
    : DASHBOARD_HOME;
}

export function signInRoutes(server: FastifyInstance, o: SignInOptions): void {
  const redirectUrl = `${o.publicUrl}/auth/github/callback`;
  const github = octokitRequest.defaults({
    baseUrl: o.github.api,
    headers: { "user-agent": "jasper-dashboard" },
  });

  server.get("/auth/github/sign-in", async (request: FastifyRequest, reply: FastifyReply) => {
    const state = randomToken();
    request.session.regenerate();
    request.session.set("oauthState", state);
    request.session.set("returnTo", safeReturn((request.query as { return?: unknown }).return));
    const { url } = getWebFlowAuthorizationUrl({
      clientType: "github-app",
      clientId: o.clientId,
      redirectUrl,
      state,
      // GitHub's web address follows from the API's (github.com, or GHE's /api/v3 dropped).
      request: github,
    });
    return reply.redirect(url);
  });

  server.get(
    "/auth/github/callback",
    // The URL carries the one-time code: not logged at the default level.
    { logLevel: "warn" },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const { code, state } = request.query as { code?: unknown; state?: unknown };
      const expected = request.session.get("oauthState");
      const returnTo = safeReturn(request.session.get("returnTo"));
      request.session.regenerate();
      if (
        typeof code !== "string" ||
        typeof state !== "string" ||
        !expected ||
        state !== expected
      ) {
        return reply.redirect(`${DASHBOARD_HOME}?signin=failed`);
      }
      try {
        const { authentication } = await exchangeWebFlowCode({
          clientType: "github-app",
          clientId: o.clientId,
          clientSecret: o.clientSecret,
          code,
          redirectUrl,
          request: github,
        });
        const user = await o.githubAuth.identify(authentication.token);
        if (!user) return reply.redirect(`${DASHBOARD_HOME}?signin=failed`);
        request.session.set("token", authentication.token);
        request.session.set("user", user);
        request.session.set("csrf", randomToken());
        request.session.set("sid", randomToken());
        request.session.set("issuedAt", Date.now());
        return reply.redirect(returnTo);
      } catch (err) {
        // Only the status: an error from the exchange may quote the request, secret included.
        const status = (err as { status?: unknown }).status;
        request.log.warn({ status }, "GitHub sign-in: the code exchange failed");
        return reply.redirect(`${DASHBOARD_HOME}?signin=failed`);
      }
    },
  );

  /** Best effort: the session has ended already; a token GitHub keeps expires on its own. */
  async function revokeGitHubToken(request: FastifyRequest, token: string): Promise<void> {
    try {
      await deleteToken({
        clientType: "github-app",
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        token,
        request: github.defaults({
          request: { signal: AbortSignal.timeout(TOKEN_REVOCATION_TIMEOUT_MS) },
        }),
      });
    } catch (err) {
      // Only the status: the error quotes the request, whose body is the token.
      const status = (err as { status?: unknown }).status;
      request.log.warn({ status }, "sign-out: GitHub did not revoke the user's token");
    }
  }

  /**
   * The two sign-outs: `end` records the end in Redis before the cookie is dropped, so a
   * failure leaves the user signed in (503) rather than believing a copy is dead.
   */
  const signOutRoute =
    (end: (session: SessionCredential) => Promise<void>, withoutSession: Failure | null) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const session = sessionCredential(request);
      if (!session) {
        if (sessionUncheckable(request)) return fail(reply, SIGN_OUT_FAILED);
        if (withoutSession) return fail(reply, withoutSession);
        request.session.delete();
        return reply.code(204).send();
      }
      if (!csrfHolds(request, session)) return fail(reply, CSRF_FAILED);
      try {
        await end(session);
      } catch (err) {
        request.log.warn({ err: (err as Error).message }, "sign-out not recorded");
        return fail(reply, SIGN_OUT_FAILED);
      }
      request.session.delete();
      await revokeGitHubToken(request, session.token);
      return reply.code(204).send();
    };

  // Without a session there is nothing to end: the cookie is dropped all the same.
  server.post(
    "/auth/sign-out",
    signOutRoute(
      ({ sid, user, issuedAt }) => o.sessions.revoke({ sid, userId: user.id, issuedAt }),
      null,
    ),
  );

  // Every session of this GitHub user, on every device, issued until now.
  server.post(
    "/auth/sign-out-everywhere",
    signOutRoute((session) => o.sessions.revokeAllOf(session.user.id, Date.now()), NOT_SIGNED_IN),
  );
}
