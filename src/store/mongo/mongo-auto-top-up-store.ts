import { trusted } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type {
  AutoTopUpRecord,
  AutoTopUpSettings,
  AutoTopUpStore,
  SwitchedOffBecause,
} from "../../billing/auto-top-up-store.js";
import type { AutoTopUpDoc, AutoTopUpModel } from "./models/auto-top-up.js";

/**
 * Auto top-up settings in MongoDB: one document per account (unique accountId), each write
 * one findOneAndUpdate on it, so a switch-off and an admin's save never interleave.
 */
export class MongoAutoTopUpStore implements AutoTopUpStore {
  constructor(private readonly settings: AutoTopUpModel) {}

  async find(accountId: AccountId): Promise<AutoTopUpRecord | null> {
    const doc = await this.settings.findOne({ accountId }).lean<AutoTopUpDoc>();
    return doc ? toRecord(doc) : null;
  }

  async listAfter(after: number, limit: number): Promise<AutoTopUpRecord[]> {
    if (limit <= 0) return [];
    // Paged on the unique accountId index: nothing held open between pages.
    const docs = await this.settings
      .find({ accountId: trusted({ $gt: after }) })
      .sort({ accountId: 1 })
      .limit(limit)
      .lean<AutoTopUpDoc[]>();
    return docs.map(toRecord);
  }

  async save(accountId: AccountId, s: AutoTopUpSettings, at: Date): Promise<AutoTopUpRecord> {
    // Every field named: what an admin saves replaces the whole settings.
    const doc = await this.settings
      .findOneAndUpdate(
        { accountId },
        {
          $set: {
            enabled: s.enabled,
            packageId: s.packageId,
            thresholdCredits: s.thresholdCredits,
            monthlyMaxCount: s.monthlyMaxCount,
            monthlyMaxCents: s.monthlyMaxCents,
            switchedOffBecause: null,
            updatedAt: at,
          },
        },
        { upsert: true, returnDocument: "after", runValidators: true },
      )
      .lean<AutoTopUpDoc>();
    // Cannot happen with upsert and returnDocument "after"; the types do not know that.
    if (!doc) throw new Error(`auto top-up of ${accountId} missing after an upsert`);
    return toRecord(doc);
  }

  async switchOff(
    accountId: AccountId,
    because: Exclude<SwitchedOffBecause, null>,
    at: Date,
  ): Promise<AutoTopUpRecord | null> {
    // Conditioned on "on": of concurrent switch-offs exactly one matches.
    const doc = await this.settings
      .findOneAndUpdate(
        { accountId, enabled: true },
        { $set: { enabled: false, switchedOffBecause: because, updatedAt: at } },
        { returnDocument: "after", runValidators: true },
      )
      .lean<AutoTopUpDoc>();
    return doc ? toRecord(doc) : null;
  }
}

function toRecord(doc: AutoTopUpDoc): AutoTopUpRecord {
  return {
    accountId: toAccountId(doc.accountId),
    enabled: doc.enabled,
    packageId: doc.packageId,
    thresholdCredits: doc.thresholdCredits,
    monthlyMaxCount: doc.monthlyMaxCount,
    monthlyMaxCents: doc.monthlyMaxCents,
    switchedOffBecause: doc.switchedOffBecause ?? null,
    updatedAt: doc.updatedAt,
  };
}
