import { isLive, lotDeltasOf, lotsOf } from "./lots.js";
import type { EntryType, LedgerEntry, Lot } from "./types.js";

type Fail = (e: LedgerEntry, problem: string) => void;

/**
 * Entries the ledger writes only after expiring what is due at that moment (Ledger.write), so
 * none of them may leave a lot past its expiry still holding credits. The month roll and the
 * expirations themselves run before that step and are left out.
 */
const SETTLED_TYPES = new Set<EntryType>([
  "usage",
  "refund",
  "bonus",
  "purchase",
  "adjustment",
  "plan",
]);

/**
 * The bonus lot half of ledger:verify, for one account's entries in seq order: each entry's
 * lots follow from the entry before and its lot changes; no lot is negative; the lots add up
 * to the bonus bucket; a lot expires at most once, not before its expiry, and holds nothing
 * afterwards. An entry written before lots has no lot fields to check; its bonus bucket is
 * one lot without expiry (lot 0) for the entries after it.
 */
export class LotChecker {
  private lots = new Map<number, Lot>();
  /** Lot -> the seq of its expiration. */
  private readonly expired = new Map<number, number>();

  constructor(private readonly fail: Fail) {}

  /** The lots after the last entry checked: what the next entry starts from. */
  current(): Lot[] {
    return [...this.lots.values()];
  }

  check(e: LedgerEntry): void {
    const before = this.lots;
    this.lots = new Map(lotsOf(e).map((l) => [l.lot, l]));
    if (e.lotsAfter === null || e.lotDeltas === null) return;
    const fail = (problem: string) => this.fail(e, problem);

    const numbers = [
      ...e.lotDeltas.flatMap((d) => [d.lot, d.amount]),
      ...e.lotsAfter.flatMap((l) => [l.lot, l.remaining]),
    ];
    if (!numbers.every(Number.isSafeInteger)) fail("a lot or its amount is not an integer");
    const changed = e.lotDeltas.reduce((sum, d) => sum + d.amount, 0);
    if (changed !== e.deltas.bonus) {
      fail(`lot changes add up to ${changed}, the bonus change is ${e.deltas.bonus}`);
    }
    if (new Set(e.lotDeltas.map((d) => d.lot)).size !== e.lotDeltas.length) {
      fail("a lot is changed twice");
    }
    if (this.lots.size !== e.lotsAfter.length) fail("a lot is listed twice");

    // What each lot should hold: the entry before, changed by this entry.
    const expected = new Map([...before].map(([id, l]) => [id, l.remaining]));
    for (const d of e.lotDeltas) {
      const held = expected.get(d.lot);
      if (held !== undefined) expected.set(d.lot, held + d.amount);
      else if (d.lot === e.seq && d.amount > 0) expected.set(d.lot, d.amount);
      else fail(`changes lot ${d.lot}, which is not live before it`);
    }
    // Before the lots are looked at: an expiration must leave its lot empty.
    if (e.type === "expiration") this.checkExpiration(e, before, fail);
    for (const lot of e.lotsAfter) {
      const should = expected.get(lot.lot);
      if (lot.remaining < 0) fail(`lot ${lot.lot} is negative (${lot.remaining})`);
      if (should === undefined) fail(`lot ${lot.lot} appears from nowhere`);
      else if (lot.remaining !== should) {
        fail(`lot ${lot.lot} after is ${lot.remaining}, the entries before give ${should}`);
      }
      const was = before.get(lot.lot);
      if (was && was.expiresAt?.getTime() !== lot.expiresAt?.getTime()) {
        fail(`lot ${lot.lot}'s expiry changed`);
      }
      const expiredAt = this.expired.get(lot.lot);
      if (expiredAt !== undefined && lot.remaining > 0) {
        fail(`lot ${lot.lot} holds ${lot.remaining} after its expiration (seq ${expiredAt})`);
      }
      if (
        SETTLED_TYPES.has(e.type) &&
        lot.remaining > 0 &&
        lot.expiresAt !== null &&
        lot.expiresAt <= e.createdAt
      ) {
        fail(`lot ${lot.lot} still holds ${lot.remaining} past its expiry`);
      }
    }
    for (const [lot, should] of expected) {
      if (should !== 0 && !this.lots.has(lot)) fail(`lot ${lot} (${should} credits) is missing`);
    }
    const held = e.lotsAfter.reduce((sum, l) => sum + l.remaining, 0);
    if (held !== e.bucketsAfter.bonus) {
      fail(`bonus lots add up to ${held}, the bonus bucket is ${e.bucketsAfter.bonus}`);
    }
  }

  private checkExpiration(e: LedgerEntry, before: Map<number, Lot>, fail: (p: string) => void) {
    for (const d of e.lotDeltas ?? []) {
      const first = this.expired.get(d.lot);
      if (first !== undefined) fail(`lot ${d.lot} expires again (first at seq ${first})`);
      else this.expired.set(d.lot, e.seq);
      const expiresAt = before.get(d.lot)?.expiresAt;
      if (expiresAt === null) fail(`lot ${d.lot} has no expiry but expired`);
      else if (expiresAt && expiresAt > e.createdAt) fail(`lot ${d.lot} expired before its expiry`);
    }
  }
}

/**
 * A refund's lots: what the charge took from each lot comes back to that lot while it is live
 * (`before`: the lots of the entry before the refund), or else all of it to one new lot
 * without expiry that the refund creates (giveBackToLots). Null when that holds, else the
 * problem.
 */
export function refundLotProblem(
  refund: LedgerEntry,
  charge: LedgerEntry,
  before: readonly Lot[],
  /** Plan credits of an ended month, which go to the new lot too (Ledger.refund). */
  fromPlan = 0,
): string | null {
  if (refund.lotDeltas === null) return null; // written before lots
  const given = new Map(refund.lotDeltas.map((d) => [d.lot, d.amount]));
  let orphaned = fromPlan;
  for (const t of lotDeltasOf(charge)) {
    const back = given.get(t.lot) ?? 0;
    given.delete(t.lot);
    const was = before.find((l) => l.lot === t.lot);
    if (back === 0 && was && isLive(was, refund.createdAt)) {
      return `refund does not give back to lot ${t.lot}, which is live`;
    }
    if (back === 0) orphaned -= t.amount;
    else if (back !== -t.amount) return "refund does not give back to a lot what the charge took";
  }
  const toNewLot = given.get(refund.seq) ?? 0;
  given.delete(refund.seq);
  if (given.size > 0 || toNewLot !== orphaned) {
    return "refund gives credits to a lot the charge did not take from";
  }
  const created = refund.lotsAfter?.find((l) => l.lot === refund.seq);
  if (toNewLot > 0 && created?.expiresAt !== null) {
    return "refund's lot for credits of expired lots has an expiry";
  }
  return null;
}
