import {
  chargePeriod,
  copyMonthUse,
  emptyMonthUse,
  usePeriod,
  type MonthUse,
} from "../../src/ledger/month-use.js";
import type { LedgerEntry } from "../../src/ledger/types.js";

/**
 * The month's use an entry written at `now` after `prev` starts from, as a release before
 * constant-size entries carried it whole: `prev`'s when of the same month, zero in a new one.
 * For tests that plant such entries; the ledger itself no longer writes them.
 */
export function carriedMonthUse(prev: LedgerEntry, now: Date): MonthUse {
  const period = usePeriod(now, chargePeriod(prev));
  return prev.monthUse?.period === period ? copyMonthUse(prev.monthUse) : emptyMonthUse(period);
}
