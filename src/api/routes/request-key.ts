import { randomUUID } from "node:crypto";
import { z } from "zod";
import { sha256 } from "../../accounts/api-keys.js";
import type { AccountId } from "../../accounts/types.js";

/** The Idempotency-Key header of a request that makes something at Stripe. */
export const idempotencyHeaders = z.looseObject({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, "must be 1 to 200 printable ASCII characters without spaces")
    .optional()
    .describe("Retries with the same key get the same Stripe object"),
});

/**
 * Stripe's idempotency key for what a request makes: from the client's key, scoped to the
 * account (two accounts that pick the same key never share an object), else a new one.
 */
export function requestKeyOf(what: string, accountId: AccountId, clientKey: string | undefined) {
  return clientKey
    ? `${what}:${accountId}:${sha256(clientKey).slice(0, 40)}`
    : `${what}:${accountId}:${randomUUID()}`;
}
