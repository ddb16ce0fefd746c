/**
 * The dashboard as a server plugin: the session and sign-in (when GITHUB_CLIENT_ID,
 * GITHUB_CLIENT_SECRET and SESSION_SECRET are set) and the pages. The session is registered
 * on the root server (fastify-plugin), so the billing API under /api/v1 can read it as a
 * credential; so is the hook that checks every request's session against the sign-outs
 * recorded in Redis. The pages' security headers stay in their own scope.
 */
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";
import type { GitHubAuth } from "../api/auth/github-auth.js";
import { missingSignInSettings, type Config } from "../config/env.js";
import { checkSession } from "./check-session.js";
import { registerSession } from "./session.js";
import type { SessionRevocations } from "./session-revocations.js";
import { signInRoutes } from "./sign-in-routes.js";
import { webRoutes } from "./web-routes.js";

export interface DashboardDeps {
  config: Config;
  githubAuth: Pick<GitHubAuth, "identify">;
  /** The sign-outs, checked on every request that carries a session. */
  sessions: SessionRevocations;
}

export function dashboard(deps: DashboardDeps): FastifyPluginAsync {
  const { config } = deps;
  return fp(async (server) => {
    if (missingSignInSettings(config).length === 0) {
      await registerSession(server, {
        secret: config.SESSION_SECRET!,
        publicUrl: config.PUBLIC_URL,
        hours: config.SESSION_HOURS,
      });
      // After the session plugin's own onRequest hook, which reads the cookie.
      server.addHook("onRequest", checkSession(deps.sessions));
      signInRoutes(server, {
        clientId: config.GITHUB_CLIENT_ID!,
        clientSecret: config.GITHUB_CLIENT_SECRET!,
        publicUrl: config.PUBLIC_URL,
        github: config.github,
        githubAuth: deps.githubAuth,
        sessions: deps.sessions,
      });
    }
    await server.register(async (scope) =>
      webRoutes(scope, { dist: config.WEB_DIST, publicUrl: config.PUBLIC_URL }),
    );
  });
}
