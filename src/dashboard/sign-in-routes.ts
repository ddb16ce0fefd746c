/**
 * Sign in with GitHub: the App's user authorization (OAuth web flow), with
 * @octokit/oauth-methods. GitHub Enterprise Server is honoured through config.github. The
 * token GitHub gives goes into the encrypted session only: never to the log, never to the
 * browser.
 */
import { randomBytes } from "node:crypto";
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { request as octokitRequest } from "@octokit/request";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { GitHubAuth } from "../api/auth/github-auth.js";
import { csrfHolds, sessionCredential } from "../api/auth/session-credential.js";
import type { GitHubUrls } from "../config/env.js";

export const DASHBOARD_HOME = "/billing";

export interface SignInOptions {
  clientId: string;
  clientSecret: string;
  publicUrl: string;
  github: GitHubUrls;
  /** Identifies the token's user (the billing API's check, with its cache). */
  githubAuth: Pick<GitHubAuth, "identify">;
}

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
        return reply.redirect(returnTo);
      } catch (err) {
        // Only the status: an error from the exchange may quote the request, secret included.
        const status = (err as { status?: unknown }).status;
        request.log.warn({ status }, "GitHub sign-in: the code exchange failed");
        return reply.redirect(`${DASHBOARD_HOME}?signin=failed`);
      }
    },
  );

  server.post("/auth/sign-out", async (request: FastifyRequest, reply: FastifyReply) => {
    const session = sessionCredential(request);
    if (session && !csrfHolds(request, session)) {
      return reply.code(403).send({ error: { code: "csrf_failed", message: "Reload the page" } });
    }
    request.session.delete();
    return reply.code(204).send();
  });
}
