import { entryUse, isConstantSize, type EntryUse, type UseBasis } from "./entry-use.js";
import {
  chargePeriod,
  emptyMonthUse,
  sameMonthUse,
  useAfter,
  type MonthUse,
  type UseCounter,
} from "./month-use.js";
import { requestedRefundCap } from "./credits.js";
import type { LedgerEntry } from "./types.js";

type Fail = (e: LedgerEntry, problem: string) => void;

/**
 * The month-use half of ledger:verify, for one account's entries in seq order: it replays
 * the entries (month-use.ts, useAfter) and checks the use each entry carries is the replay's,
 * so a budget was checked against the true count; and that refunds asked for in a month stay
 * under that month's cap. An entry of the whole-month form (written before constant-size
 * entries) must hold the whole replay; a constant-size one (entry-use.ts) the replay's totals,
 * exactly the counters the entry changed with their values after it, and the `from` its
 * month's counting starts at, since the next charge's lookups trust all three. Entries written
 * before month use carry none and are only replayed.
 */
export class MonthUseChecker {
  private use: MonthUse = emptyMonthUse("");
  /** The entry before, as far as the next one's `from` depends on it. */
  private last: Pick<LedgerEntry, "seq" | "monthUse" | "createdAt"> | null = null;

  constructor(private readonly fail: Fail) {}

  /** `charge`: for a refund, the usage entry it gives back (undefined if there is none). */
  check(e: LedgerEntry, charge: LedgerEntry | undefined): void {
    const before = this.use;
    this.use = useAfter(this.use, e, charge);
    const u = e.monthUse;
    if (isConstantSize(u)) this.checkConstantSize(e, u, before);
    else if (u) {
      // Which budgets warned depends on the caps at the time, which entries do not hold: the
      // replay takes them from the entry (a new month starts with none).
      if (u.period === this.use.period) this.use = { ...this.use, warned: [...u.warned] };
      if (!sameMonthUse(u, this.use)) {
        this.fail(e, "its month use is not what this month's entries before it add up to");
      }
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
    this.last = e;
  }

  private checkConstantSize(e: LedgerEntry, u: EntryUse & { from: number }, prior: MonthUse) {
    const after = this.use;
    const before = prior.period === after.period ? prior : emptyMonthUse(after.period);
    const basis = this.expectedBasis(e, after.period);
    if (basis === null) {
      this.fail(e, "its month use counts from a month that an entry without month use began");
    } else if (basis.from !== u.from || basis.fromSnapshot !== (u.fromSnapshot === true)) {
      this.fail(e, `its month use counts from seq ${u.from}, the entries give ${basis.from}`);
    }
    const expected = entryUse(before, after, basis);
    const totals = (x: MonthUse) => [x.period, x.charged, x.requestedRefunds, x.account];
    const counters = (cs: UseCounter[]) =>
      JSON.stringify(
        [...cs]
          .sort((a, b) => a.key.localeCompare(b.key))
          .map((c) => [c.key, c.name ?? null, c.credits, c.runs]),
      );
    if (
      JSON.stringify(totals(u)) !== JSON.stringify(totals(after)) ||
      counters(u.repositories) !== counters(expected.repositories) ||
      counters(u.authors) !== counters(expected.authors)
    ) {
      this.fail(e, "its month use is not what this month's entries before it add up to");
    }
    const again = u.warned.filter((w) => before.warned.includes(w));
    if (again.length > 0) {
      this.fail(e, `its month use warns again what warned this month: ${again.join(", ")}`);
    }
    // The replay moved a name's warning to its id itself (the fold); the rest is the entry's.
    const unwarned = new Set(u.unwarned ?? []);
    const warned = after.warned.filter((w) => !unwarned.has(w));
    for (const w of u.warned) if (!warned.includes(w)) warned.push(w);
    this.use = { ...after, warned };
  }

  /** Where the entry's month counting must start (entry-use.ts, loadUse); null: nowhere. */
  private expectedBasis(e: LedgerEntry, period: string): UseBasis | null {
    const last = this.last;
    if (!last || chargePeriod(last) !== period) return { from: e.seq, fromSnapshot: false };
    if (!last.monthUse) return null;
    if (isConstantSize(last.monthUse)) {
      return { from: last.monthUse.from, fromSnapshot: last.monthUse.fromSnapshot === true };
    }
    return { from: last.seq, fromSnapshot: true };
  }
}
