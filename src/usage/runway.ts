/**
 * When the credits run out at the recent pace: the net spend (charges less refunds) of the
 * last RUNWAY_WINDOW_DAYS days, per day, against the balance now. Beyond RUNWAY_HORIZON_DAYS
 * (or with no net spend at all) the answer is "more than 90 days" rather than a date: a
 * forecast that far out from two weeks of history is not worth a date.
 */
import type { AccountId } from "../accounts/types.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import { netSpentSince } from "../ledger/spent.js";

export const RUNWAY_WINDOW_DAYS = 14;
export const RUNWAY_HORIZON_DAYS = 90;
const DAY_MS = 86_400_000;

export interface Runway {
  /** Net credits spent per day over the window (may be fractional). */
  dailySpend: number;
  /** The day (UTC, "YYYY-MM-DD") the balance reaches zero at that pace; null: beyond the horizon. */
  runsOutOn: string | null;
  /** True when the balance lasts more than 90 days at that pace (or nothing is spent). */
  moreThan90Days: boolean;
}

export function forecastRunway(balance: number, netSpent: number, now: Date): Runway {
  const rate = Math.max(0, netSpent) / RUNWAY_WINDOW_DAYS;
  // Shown to two decimals; the forecast itself uses the exact rate.
  const dailySpend = Math.round(rate * 100) / 100;
  if (balance <= 0) {
    return { dailySpend, runsOutOn: now.toISOString().slice(0, 10), moreThan90Days: false };
  }
  if (rate === 0 || balance / rate > RUNWAY_HORIZON_DAYS) {
    return { dailySpend, runsOutOn: null, moreThan90Days: true };
  }
  const out = new Date(now.getTime() + (balance / rate) * DAY_MS);
  return { dailySpend, runsOutOn: out.toISOString().slice(0, 10), moreThan90Days: false };
}

/**
 * The account's runway from its ledger: the window's net spend as the difference of two
 * entries' running totals (ledger/spent.ts), the newest and the newest before the window.
 */
export async function runwayOf(
  store: Pick<LedgerStore, "spentAt" | "sumAmounts">,
  accountId: AccountId,
  balance: number,
  now: Date,
): Promise<Runway> {
  const since = new Date(now.getTime() - RUNWAY_WINDOW_DAYS * DAY_MS);
  return forecastRunway(balance, await netSpentSince(store, accountId, since), now);
}

/** For people: "around 2026-12-04" or "more than 90 days". */
export function describeRunway(r: Runway): string {
  return r.runsOutOn ? `around ${r.runsOutOn}` : `more than ${RUNWAY_HORIZON_DAYS} days`;
}
