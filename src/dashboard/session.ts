/**
 * The dashboard's session: an encrypted, authenticated cookie (@fastify/secure-session,
 * libsodium secretbox) holding the user's GitHub token, so nothing server-side has to be
 * kept or cleaned up, and the browser's JavaScript never sees the token (HttpOnly).
 */
import { hkdfSync } from "node:crypto";
import fastifySecureSession from "@fastify/secure-session";
import type { FastifyInstance } from "fastify";

export const SESSION_COOKIE = "jasper_session";

export interface SessionOptions {
  /** SESSION_SECRET: at least 32 characters. */
  secret: string;
  /** PUBLIC_URL: https makes the cookie Secure. */
  publicUrl: string;
  /** How long a sign-in lasts. */
  hours: number;
}

export async function registerSession(server: FastifyInstance, o: SessionOptions): Promise<void> {
  // A 32-byte key derived from the secret with HKDF: fast at start (the plugin's own
  // secret+salt path runs a password hash, made for low-entropy secrets, which this is not).
  const key = Buffer.from(hkdfSync("sha256", o.secret, "jasper", "dashboard-session", 32));
  const maxAge = o.hours * 3600;
  await server.register(fastifySecureSession, {
    key,
    cookieName: SESSION_COOKIE,
    // Checked on every read from the timestamp inside the encrypted cookie: an old cookie kept
    // past its Max-Age is refused too.
    expiry: maxAge,
    cookie: {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: o.publicUrl.startsWith("https:"),
      maxAge,
    },
  });
}
