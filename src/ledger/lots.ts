/**
 * Bonus lots (docs/billing.md, "Buckets"): pure functions over the lots an entry carries. The
 * next entry's lots follow from the newest entry's alone, so a charge is still decided from
 * one entry and written in one insert.
 */
import type { LedgerEntry, Lot, LotDelta } from "./types.js";

/** The bonus bucket of an entry written before lots: one lot that never expires. */
export const LEGACY_LOT = 0;

/** The lots after an entry, read the same way whether or not it was written with lots. */
export function lotsOf(entry: LedgerEntry | null): Lot[] {
  if (!entry) return [];
  if (entry.lotsAfter) return entry.lotsAfter.map((l) => ({ ...l }));
  const bonus = entry.bucketsAfter.bonus;
  return bonus > 0 ? [{ lot: LEGACY_LOT, expiresAt: null, remaining: bonus }] : [];
}

/** How an entry changed the lots; an entry written before lots changed lot 0. */
export function lotDeltasOf(entry: LedgerEntry): LotDelta[] {
  if (entry.lotDeltas) return entry.lotDeltas.map((d) => ({ ...d }));
  const bonus = entry.deltas.bonus;
  return bonus !== 0 ? [{ lot: LEGACY_LOT, amount: bonus }] : [];
}

/** Soonest expiry first, lots without expiry last; the older lot first on a tie. */
export function bySpendOrder(a: Lot, b: Lot): number {
  const ea = a.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const eb = b.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea < eb ? -1 : 1;
  return a.lot - b.lot;
}

/** A lot past its expiry takes nothing back and is gone once empty. */
export function isLive(lot: Lot, now: Date): boolean {
  return lot.expiresAt === null || lot.expiresAt.getTime() > now.getTime();
}

/** Lots past their expiry that still hold credits: what the lazy expiry writes off. */
export function dueLots(lots: readonly Lot[], now: Date): Lot[] {
  return lots.filter((l) => l.remaining > 0 && !isLive(l, now));
}

/**
 * Takes `amount` from the lots in spend order, as negative deltas. The caller has checked the
 * bonus bucket covers it (the lots add up to the bucket), so a shortfall is a bug.
 */
export function takeFromLots(lots: readonly Lot[], amount: number): LotDelta[] {
  const out: LotDelta[] = [];
  let left = amount;
  for (const lot of [...lots].sort(bySpendOrder)) {
    const take = Math.min(lot.remaining, left);
    if (take > 0) out.push({ lot: lot.lot, amount: 0 - take });
    left -= take;
  }
  if (left !== 0) throw new Error(`bug: the bonus lots are ${left} short of ${amount}`);
  return out;
}

/**
 * A refund's lot changes: each lot the charge took from gets its credits back while it is
 * live. Credits taken from a lot that has expired since (or, without an expiry, was emptied
 * and dropped) go to a new lot without expiry, created by the refund itself (`newLot`, its
 * seq): the review failed through Jasper's fault, so the customer gets the credit to use, as
 * a free credit refunded after its month still goes back to free (docs/billing.md,
 * "Buckets"). The expired lot itself is never written to again, so it expires once.
 */
export function giveBackToLots(
  lots: readonly Lot[],
  taken: readonly LotDelta[],
  newLot: number,
  now: Date,
): LotDelta[] {
  const out: LotDelta[] = [];
  let orphaned = 0;
  for (const t of taken) {
    const lot = lots.find((l) => l.lot === t.lot);
    if (lot && isLive(lot, now)) out.push({ lot: t.lot, amount: 0 - t.amount });
    else orphaned -= t.amount;
  }
  if (orphaned > 0) out.push({ lot: newLot, amount: orphaned });
  return out;
}

/**
 * The lots after an entry with sequence number `seq`: `before` changed by `deltas`, where a
 * delta for lot `seq` creates that lot (expiring at `expiresAt`). Lots that can hold nothing
 * any more are dropped: empty and either without expiry (a refund then makes a new lot) or
 * past it. Returns a negative lot as it is, for the caller to refuse.
 */
export function applyLotDeltas(
  before: readonly Lot[],
  deltas: readonly LotDelta[],
  seq: number,
  expiresAt: Date | null,
  now: Date,
): Lot[] {
  const lots = new Map(before.map((l) => [l.lot, { ...l }]));
  for (const d of deltas) {
    const lot = lots.get(d.lot);
    if (lot) lot.remaining += d.amount;
    else if (d.lot === seq && d.amount > 0) {
      lots.set(seq, { lot: seq, expiresAt, remaining: d.amount });
    } else throw new Error(`bug: entry ${seq} changes lot ${d.lot}, which does not exist`);
  }
  return [...lots.values()]
    .filter((l) => l.remaining !== 0 || (l.expiresAt !== null && isLive(l, now)))
    .sort(bySpendOrder);
}

/**
 * When the lot a bonus grant created expires: null for never (as for a grant written before
 * lots), undefined for an entry that is not a bonus grant.
 */
export function grantExpiry(
  e: Pick<LedgerEntry, "type" | "seq" | "lotsAfter">,
): Date | null | undefined {
  if (e.type !== "bonus" || e.lotsAfter === null) return e.type === "bonus" ? null : undefined;
  return e.lotsAfter.find((l) => l.lot === e.seq)?.expiresAt ?? null;
}
