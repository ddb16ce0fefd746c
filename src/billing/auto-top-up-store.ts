/**
 * Auto top-up's settings per account (auto-top-up-settings.ts decides what may be stored).
 * Off unless an admin turned it on: an account with no record has it off, and nothing but
 * `save` with `enabled: true` ever turns it on.
 *
 * Implementations (src/store/memory, src/store/mongo) keep these promises, which
 * test/contract checks against every implementation available:
 *
 * - One record per account; each write is a single atomic step on it.
 * - `switchOff` changes only a record that is on, so of concurrent calls one reports it.
 * - Nothing returned is a live database document.
 */
import type { AccountId } from "../accounts/types.js";

export interface AutoTopUpSettings {
  enabled: boolean;
  /** The package bought each time (an id of CREDIT_PACKAGES). */
  packageId: string;
  /** Buy when a charge leaves the balance at or below this many credits. */
  thresholdCredits: number;
  /** At most this many top-ups per calendar month (UTC). */
  monthlyMaxCount: number;
  /** At most this much money per calendar month, in integer cents of the package's currency. */
  monthlyMaxCents: number;
}

/** Why auto top-up went off by itself, for the dashboard and the email; null when an admin did. */
export type SwitchedOffBecause = "card_removed" | "declined" | null;

export interface AutoTopUpRecord extends AutoTopUpSettings {
  accountId: AccountId;
  switchedOffBecause: SwitchedOffBecause;
  updatedAt: Date;
}

export interface AutoTopUpStore {
  find(accountId: AccountId): Promise<AutoTopUpRecord | null>;
  /**
   * Cross-account read for the sweep: the records of accounts with an id above `after`, on
   * or off, in account order, at most `limit`. Only accounts with a record can have top-ups.
   */
  listAfter(after: number, limit: number): Promise<AutoTopUpRecord[]>;
  /** Writes the whole settings (an admin's change); clears `switchedOffBecause`. */
  save(accountId: AccountId, settings: AutoTopUpSettings, at: Date): Promise<AutoTopUpRecord>;
  /**
   * Turns it off when it is on, saying why; the record after, or null when it was not on
   * (off already, or never set up).
   */
  switchOff(
    accountId: AccountId,
    because: Exclude<SwitchedOffBecause, null>,
    at: Date,
  ): Promise<AutoTopUpRecord | null>;
}
