/**
 * The one place a Stripe client is built. STRIPE_API_BASE points it at another server (e.g.
 * stripe-mock on http://localhost:12111) for local runs; unset, it talks to api.stripe.com.
 */
import Stripe from "stripe";

/**
 * Automatic retries of network errors and 5xx/429 answers (stripe-node's default is 1).
 * stripe-node adds an idempotency key to retried POSTs itself, so a retry cannot create a
 * second object.
 */
const MAX_NETWORK_RETRIES = 2;

export function createStripe(secretKey: string, apiBase?: string): Stripe {
  return new Stripe(secretKey, {
    maxNetworkRetries: MAX_NETWORK_RETRIES,
    appInfo: { name: "Jasper" },
    ...(apiBase === undefined ? {} : addressOf(apiBase)),
  });
}

/**
 * stripe-node takes host, port and protocol separately, not a URL. Its port defaults to 443
 * whatever the protocol, so an http URL without a port needs 80 spelled out.
 */
function addressOf(apiBase: string): { host: string; port: number; protocol: "http" | "https" } {
  const url = new URL(apiBase);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("STRIPE_API_BASE: must be an http:// or https:// URL");
  }
  // stripe-node always requests /v1/...; a path here would be silently dropped.
  if (url.pathname !== "/" || url.search !== "") {
    throw new Error("STRIPE_API_BASE: must be a bare origin like http://localhost:12111");
  }
  const protocol = url.protocol === "http:" ? "http" : "https";
  const port = url.port === "" ? (protocol === "http" ? 80 : 443) : Number(url.port);
  return { host: url.hostname, port, protocol };
}
