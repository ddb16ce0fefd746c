import type { ApiKey, ApiKeyScope, ApiKeyStore } from "../accounts/api-key-store.js";
import { generateApiKey } from "../accounts/api-keys.js";
import type { AccountId } from "../accounts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { Admin } from "./admin.js";

/** Active keys one account may hold at once. */
export const MAX_ACTIVE_KEYS = 25;

export interface ApiKeyAdminDeps {
  apiKeys: Pick<ApiKeyStore, "create" | "revoke">;
  audit: Pick<AuditLog, "record">;
}

export type CreatedKey =
  | { created: true; stored: ApiKey; /** Shown once, never stored. */ key: string }
  | { created: false; reason: "too_many_api_keys" };

/** Creates a key and records it (its id, name and scope: never the key, nor its hash). */
export async function createApiKey(
  deps: ApiKeyAdminDeps,
  accountId: AccountId,
  admin: Admin,
  input: { name: string; scope: ApiKeyScope },
): Promise<CreatedKey> {
  const generated = generateApiKey();
  // The store checks the cap and inserts in one step: concurrent creations never pass it.
  const stored = await deps.apiKeys.create(
    {
      accountId,
      name: input.name,
      hash: generated.hash,
      prefix: generated.prefix,
      scope: input.scope,
    },
    MAX_ACTIVE_KEYS,
  );
  if (!stored) return { created: false, reason: "too_many_api_keys" };
  await deps.audit.record({
    accountId,
    actor: admin.actor,
    action: "api_key_created",
    interface: admin.interface,
    details: { keyId: stored.id, name: stored.name, scope: stored.scope },
    idempotencyKey: `api-key-created:${stored.id}`,
  });
  return { created: true, stored, key: generated.key };
}

/**
 * Revokes a key of the account; false when it has no such key. Keyed by the key: revoking an
 * already revoked key succeeds again and is recorded once.
 */
export async function revokeApiKey(
  deps: ApiKeyAdminDeps,
  accountId: AccountId,
  admin: Admin,
  keyId: string,
): Promise<boolean> {
  if (!(await deps.apiKeys.revoke(accountId, keyId))) return false;
  await deps.audit.record({
    accountId,
    actor: admin.actor,
    action: "api_key_revoked",
    interface: admin.interface,
    details: { keyId },
    idempotencyKey: `api-key-revoked:${keyId}`,
  });
  return true;
}
