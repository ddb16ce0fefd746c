import {
  carriedFrom,
  entryUse,
  isConstantSize,
  replayWarned,
  type EntryUse,
  type UseBasis,
} from "./entry-use.js";
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
 * exactly the counters the entry changed with their values after it, the warnings it took
 * back (only what a fold of a name into its id takes back), and the `from` its month's
 * counting starts at, since the next charge's lookups trust all of them. Entries written
 * before month use carry none and are only replayed.
 */
export class MonthUseChecker {
  private use: MonthUse = emptyMonthUse("");
  /** The entry before, as far as the next one's `from` depends on it. */
  private last: Pick<LedgerEntry, "seq" | "monthUse" | "createdAt"> | null = null;
  /** The month of the newest constant-size entry so far (entry-use.ts, loadUse). */
  private sizedPeriod: string | null = null;

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
      // One after constant-size entries of its month only adds to them (replayWarned).
      this.use = {
        ...this.use,
        warned: replayWarned(this.use, u, this.sizedPeriod !== u.period),
      };
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
    if (isConstantSize(u)) this.sizedPeriod = u.period;
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
    const expected = entryUse(carriedFrom(before, basis, e.seq), after, basis);
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
    const again = u.warned.filter((w) => carriedFrom(before, basis, e.seq).warned.includes(w));
    if (again.length > 0) {
      this.fail(e, `its month use warns again what warned this month: ${again.join(", ")}`);
    }
    // The next charge believes a warning taken back when a fold may take it back (a name's):
    // exactly what the replay's fold took back, no more (a budget would warn again) or less.
    const sorted = (ws: readonly string[] | undefined) => JSON.stringify([...(ws ?? [])].sort());
    if (sorted(u.unwarned) !== sorted(expected.unwarned)) {
      const extra = (u.unwarned ?? []).filter((w) => !(expected.unwarned ?? []).includes(w));
      this.fail(
        e,
        extra.length > 0
          ? `its month use takes back warnings no fold took back: ${extra.join(", ")}`
          : "its month use does not take back the warnings its fold took back",
      );
    }
    // The replay moved a name's warning to its id itself (the fold); the rest is the entry's.
    this.use = { ...after, warned: replayWarned(after, u, true) };
  }

  /** Where the entry's month counting must start (entry-use.ts, loadUse); null: nowhere. */
  private expectedBasis(e: LedgerEntry, period: string): UseBasis | null {
    const last = this.last;
    if (!last || chargePeriod(last) !== period) return { from: e.seq, fromSnapshot: false };
    if (!last.monthUse) return null;
    if (isConstantSize(last.monthUse)) {
      return { from: last.monthUse.from, fromSnapshot: last.monthUse.fromSnapshot === true };
    }
    // A whole-month entry after constant-size ones of its month is no snapshot: the month is
    // counted again and the entry after it counts from itself.
    if (this.sizedPeriod === period) return { from: e.seq, fromSnapshot: false };
    return { from: last.seq, fromSnapshot: true };
  }
}
