/**
 * The credential of a request, read one way for everything that looks at it: authentication
 * and the rate limit agree on what "the same credential" is, so spelling `Bearer` another way
 * or adding spaces gets neither another answer nor another budget.
 */
import { normalizeIP } from "@fastify/rate-limit";
import type { FastifyRequest } from "fastify";
import { hashApiKey, looksLikeApiKey, sha256 } from "../../accounts/api-keys.js";
import { sessionCredential } from "./session-credential.js";

/** `Bearer <token>`: scheme in any case, spaces or tabs around and between. */
const AUTHORIZATION = /^[ \t]*(\S+)[ \t]+(\S+)[ \t]*$/;
const TOKEN = /^[\x21-\x7e]{1,1000}$/;

export type Credential =
  { ok: true; token: string } | { ok: false; reason: "missing" | "malformed" };

export function readCredential(header: string | undefined): Credential {
  if (!header) return { ok: false, reason: "missing" };
  const match = AUTHORIZATION.exec(header);
  const [, scheme, token] = match ?? [];
  if (scheme?.toLowerCase() !== "bearer" || !token || !TOKEN.test(token)) {
    return { ok: false, reason: "malformed" };
  }
  return { ok: true, token };
}

/**
 * The client's address as the limits count it: an IPv6 client by its /64, since one
 * customer holds a whole /64 (the plugin's own default key does the same).
 */
export const clientAddress = (request: FastifyRequest): string => normalizeIP(request.ip);

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * A route anyone may call without credentials (the packages, the calculator): its rate
     * limit counts per client address, since any made-up Bearer token would otherwise bring a
     * budget of its own.
     */
    publicRoute?: boolean;
  }
}

/**
 * Rate-limit key: the credential when there is a well-formed one, else the client's address;
 * always the address on a public route. Only hashes go to Redis: an API key's (the hash the
 * store knows it by) or a GitHub token's.
 */
export function rateLimitKey(request: FastifyRequest): string {
  if (request.routeOptions.config.publicRoute) return `ip:${clientAddress(request)}`;
  const credential = readCredential(request.headers.authorization);
  // A dashboard session counts as its GitHub token would: one budget per user, not per address.
  const session = credential.ok ? null : sessionCredential(request);
  if (session) return `github:${sha256(session.token)}`;
  if (!credential.ok) return `ip:${clientAddress(request)}`;
  const { token } = credential;
  return looksLikeApiKey(token) ? `key:${hashApiKey(token)}` : `github:${sha256(token)}`;
}
