import type { AccountStore } from "../accounts/account-store.js";
import type { Account, AccountSettings } from "../accounts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { Admin } from "./admin.js";

export interface ChangeSettingsDeps {
  accounts: Pick<AccountStore, "updateSettings">;
  audit: Pick<AuditLog, "record">;
}

/**
 * Changes the settings that were given (the others are kept) and records, before and after,
 * each field that changed: billing contacts included, since they are where the money alerts
 * go, which is what an intruder would redirect first. Null when the account is gone.
 */
export async function changeSettings(
  deps: ChangeSettingsDeps,
  account: Account,
  admin: Admin,
  given: Partial<AccountSettings>,
): Promise<AccountSettings | null> {
  const fields = (Object.keys(given) as (keyof AccountSettings)[]).filter(
    (f) => given[f] !== undefined,
  );
  if (fields.length === 0) return account.settings;
  const updated = await deps.accounts.updateSettings(
    account.id,
    Object.fromEntries(fields.map((f) => [f, given[f]])),
  );
  if (!updated) return null;
  const changed = fields.filter(
    (f) => JSON.stringify(account.settings[f]) !== JSON.stringify(updated.settings[f]),
  );
  if (changed.length > 0) {
    await deps.audit.record({
      accountId: account.id,
      actor: admin.actor,
      action: "settings_changed",
      interface: admin.interface,
      details: {
        before: Object.fromEntries(changed.map((f) => [f, account.settings[f]])),
        after: Object.fromEntries(changed.map((f) => [f, updated.settings[f]])),
      },
    });
  }
  return updated.settings;
}
