import { expect } from "@jest/globals";
import type { FastifyInstance } from "fastify";
import nock from "nock";

/** The settings that turn the dashboard's sign-in on (GitHub's API: api.github.com). */
export const SIGN_IN_ENV = {
  GITHUB_CLIENT_ID: "Iv1.jaspertest",
  GITHUB_CLIENT_SECRET: "jasper-test-client-secret",
  SESSION_SECRET: "a-session-secret-of-at-least-32-characters",
};

/** The cookie header a browser would send back after these Set-Cookie headers. */
export function cookieOf(setCookie: string | string[] | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return all.map((c) => c.split(";")[0]).join("; ");
}

/**
 * Runs the OAuth web flow with GitHub's token endpoint faked (nock) so that GitHub hands
 * `token`; returns the session cookie and the CSRF token GET /api/v1/me gives it.
 */
export async function signInAs(
  server: FastifyInstance,
  token: string,
): Promise<{ cookie: string; csrf: string }> {
  const start = await server.inject({ method: "GET", url: "/auth/github/sign-in" });
  expect(start.statusCode).toBe(302);
  const state = new URL(start.headers.location as string).searchParams.get("state")!;
  nock("https://github.com")
    .post("/login/oauth/access_token", (body) => body.code === `code-for-${token}`)
    .reply(200, { access_token: token, token_type: "bearer", scope: "" });
  const back = await server.inject({
    method: "GET",
    url: `/auth/github/callback?code=code-for-${token}&state=${state}`,
    headers: { cookie: cookieOf(start.headers["set-cookie"]) },
  });
  expect(back.headers.location).toBe("/billing");
  const cookie = cookieOf(back.headers["set-cookie"]);
  const me = await server.inject({ method: "GET", url: "/api/v1/me", headers: { cookie } });
  expect(me.statusCode).toBe(200);
  return { cookie, csrf: (me.json() as { csrfToken: string }).csrfToken };
}

/**
 * GitHub's token deletion (DELETE /applications/{client_id}/token, basic auth with the App's
 * client id and secret) for `token`, answered with `status`.
 */
export function expectTokenDeletion(token: string, status = 204): nock.Scope {
  const basic = Buffer.from(
    `${SIGN_IN_ENV.GITHUB_CLIENT_ID}:${SIGN_IN_ENV.GITHUB_CLIENT_SECRET}`,
  ).toString("base64");
  return nock("https://api.github.com", {
    reqheaders: {
      authorization: (value) => {
        const [scheme, credentials] = value.split(" ");
        return scheme?.toLowerCase() === "basic" && credentials === basic;
      },
    },
  })
    .delete(`/applications/${SIGN_IN_ENV.GITHUB_CLIENT_ID}/token`, { access_token: token })
    .reply(status, status === 204 ? undefined : { message: "Something went wrong" });
}
