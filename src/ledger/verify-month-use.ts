import { emptyMonthUse, sameMonthUse, useAfter, type MonthUse } from "./month-use.js";
import { requestedRefundCap } from "./credits.js";
import type { LedgerEntry } from "./types.js";

type Fail = (e: LedgerEntry, problem: string) => void;

/**
 * The month-use half of ledger:verify, for one account's entries in seq order: it replays
 * the entries (month-use.ts, useAfter) and checks the use each entry carries is the replay's,
 * so a budget was checked against the true count; and that refunds asked for in a month stay
 * under that month's cap. Entries written before month use carry none and are only replayed.
 */
export class MonthUseChecker {
  private use: MonthUse = emptyMonthUse("");

  constructor(private readonly fail: Fail) {}

  /** `charge`: for a refund, the usage entry it gives back (undefined if there is none). */
  check(e: LedgerEntry, charge: LedgerEntry | undefined): void {
    this.use = useAfter(this.use, e, charge);
    // Which budgets warned depends on the caps at the time, which entries do not hold: the
    // replay takes them from the entry (a new month starts with none).
    if (e.monthUse && e.monthUse.period === this.use.period) {
      this.use = { ...this.use, warned: [...e.monthUse.warned] };
    }
    if (e.monthUse !== null && !sameMonthUse(e.monthUse, this.use)) {
      this.fail(e, "its month use is not what this month's entries before it add up to");
    }
    if (e.refundRequest) {
      // A refund never changes `charged`: the cap is the one the refund was decided under.
      const cap = requestedRefundCap(this.use.charged);
      if (this.use.requestedRefunds > cap) {
        this.fail(
          e,
          `refunds asked for this month (${this.use.requestedRefunds}) exceed the cap (${cap})`,
        );
      }
    }
  }
}
