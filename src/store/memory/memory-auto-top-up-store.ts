import type { AccountId } from "../../accounts/types.js";
import type {
  AutoTopUpRecord,
  AutoTopUpSettings,
  AutoTopUpStore,
  SwitchedOffBecause,
} from "../../billing/auto-top-up-store.js";

/** Auto top-up settings in process memory, one record per account. */
export class MemoryAutoTopUpStore implements AutoTopUpStore {
  private readonly byAccount = new Map<AccountId, AutoTopUpRecord>();

  async find(accountId: AccountId): Promise<AutoTopUpRecord | null> {
    const record = this.byAccount.get(accountId);
    return record ? copy(record) : null;
  }

  async listAfter(after: number, limit: number): Promise<AutoTopUpRecord[]> {
    return [...this.byAccount.values()]
      .filter((r) => r.accountId > after)
      .sort((x, y) => x.accountId - y.accountId)
      .slice(0, Math.max(0, limit))
      .map(copy);
  }

  async save(
    accountId: AccountId,
    settings: AutoTopUpSettings,
    at: Date,
  ): Promise<AutoTopUpRecord> {
    const record: AutoTopUpRecord = {
      accountId,
      enabled: settings.enabled,
      packageId: settings.packageId,
      thresholdCredits: settings.thresholdCredits,
      monthlyMaxCount: settings.monthlyMaxCount,
      monthlyMaxCents: settings.monthlyMaxCents,
      switchedOffBecause: null,
      updatedAt: new Date(at),
    };
    this.byAccount.set(accountId, record);
    return copy(record);
  }

  async switchOff(
    accountId: AccountId,
    because: Exclude<SwitchedOffBecause, null>,
    at: Date,
  ): Promise<AutoTopUpRecord | null> {
    const record = this.byAccount.get(accountId);
    if (!record?.enabled) return null;
    record.enabled = false;
    record.switchedOffBecause = because;
    record.updatedAt = new Date(at);
    return copy(record);
  }
}

const copy = (r: AutoTopUpRecord): AutoTopUpRecord => ({ ...r, updatedAt: new Date(r.updatedAt) });
