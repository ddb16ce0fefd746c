import { setTimeout as sleep } from "node:timers/promises";
import { LedgerContentionError } from "../shared/errors.js";
import type { AppendConflict, LedgerStore, NewEntry } from "./ledger-store.js";
import { applyLotDeltas, lotsOf } from "./lots.js";
import { carriedFrom, entryUse, loadUse, type UseBasis } from "./entry-use.js";
import { spentAfter } from "./spent.js";
import type { MonthUse, UseKeys } from "./month-use.js";
import {
  BUCKETS,
  sumBuckets,
  zeroBuckets,
  type BucketAmounts,
  type EntryReference,
  type EntryType,
  type LedgerEntry,
  type LotDelta,
  type RefundRequest,
} from "./types.js";
import type { AccountId } from "../accounts/types.js";

/** What an operation wants to write, before seq and balances are filled in from the log. */
export interface Draft {
  type: EntryType;
  deltas: BucketAmounts;
  description: string;
  reference: EntryReference | null;
  refundOf?: string;
  uncollected?: number;
  /** Only a free-tier grant moves the free bucket to a new month. */
  freePeriod?: string;
  /** Required when deltas.bonus is not 0: which lots it changes, adding up to it. */
  lotDeltas?: LotDelta[];
  /** The expiry of the lot this entry creates (a delta for lot seq); none when absent. */
  expiresAt?: Date | null;
  /**
   * When the plan bucket's credits expire after this entry: a plan grant sets it, the plan
   * bucket's expiration clears it (null); carried from the entry before when absent.
   */
  planExpiresAt?: Date | null;
  /** The month's use after this entry; the use before it (unchanged) when absent. */
  monthUse?: MonthUse;
  refundRequest?: RefundRequest;
}

/**
 * A builder looks at the newest entry and either drafts the next one or refuses. `now` is the
 * attempt's one reading of the clock: the one beforeBuild saw and the entry's createdAt, so
 * a lot is never judged live by the builder yet past its expiry in the entry.
 */
export type Build<R> = (
  prev: LedgerEntry | null,
  now: Date,
  /**
   * The month's use before this entry (entry-use.ts, loadUse): its totals, and the counters
   * and warnings of the keys writeEntry was given. What budgets are checked against.
   */
  use: MonthUse,
) => Built<R> | Promise<Built<R>>;

type Built<R> = { draft: Draft } | { reject: R };

export type WriteResult<R> =
  | { status: "created" | "replayed"; entry: LedgerEntry }
  | { status: "rejected"; reason: R }
  | { status: "conflict"; conflict: Extract<AppendConflict, "refund"> };

export interface WriteContext {
  store: LedgerStore;
  now: () => Date;
  /** Attempts before giving up under contention on one account. Default 100. */
  maxAttempts?: number;
  /**
   * Runs before each build; returns true when it wrote entries itself (the month roll), so
   * that the newest entry is read again.
   */
  beforeBuild?: (prev: LedgerEntry | null, now: Date) => Promise<boolean>;
}

/**
 * Writes one entry at most once per idempotency key. The balance check and the debit are one
 * step: the builder decides from the newest entry, and the insert carries seq = newest + 1,
 * which the store's unique (account, seq) index refuses if any other entry got in first. A
 * refused insert means our view was stale, so we read again and rebuild: two writers can
 * never both spend the credit they both saw. Nothing is written unless the insert succeeds.
 */
export async function writeEntry<R>(
  ctx: WriteContext,
  accountId: AccountId,
  idempotencyKey: string,
  build: Build<R>,
  /** Whose counters the builder reads and changes: a charge's, or the refunded charge's. */
  useKeys: UseKeys | null = null,
): Promise<WriteResult<R>> {
  const maxAttempts = ctx.maxAttempts ?? 100;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const existing = await ctx.store.findByKey(accountId, idempotencyKey);
    if (existing) return { status: "replayed", entry: existing };

    const prev = await ctx.store.latest(accountId);
    const now = ctx.now();
    if (ctx.beforeBuild && (await ctx.beforeBuild(prev, now))) continue;

    // The counters are read after the newest entry, bounded by it; like anything else a builder
    // reads after it (a pull request's entries), they are at most as new as what the insert's
    // seq + 1 is checked against.
    const { use, basis } = await loadUse(ctx.store, accountId, prev, now, useKeys);
    const built = await build(prev, now, use);
    if ("reject" in built) {
      // A concurrent call with the same key may have written it between our lookup and our
      // read of the newest entry, and that very entry made this build refuse: the key's entry
      // stands, so this call is its replay, not a refusal.
      const written = await ctx.store.findByKey(accountId, idempotencyKey);
      if (written) return { status: "replayed", entry: written };
      return { status: "rejected", reason: built.reject };
    }

    const result = await ctx.store.append(
      nextEntry(accountId, prev, built.draft, idempotencyKey, now, use, basis),
    );
    if (result.ok) return { status: "created", entry: result.entry };
    if (result.conflict === "refund") return { status: "conflict", conflict: "refund" };
    // "idempotency_key": a concurrent call with the same key won; the next loop returns its
    // entry. "sequence": someone else appended first; back off a little when it keeps
    // happening, so a crowd of writers on one account spreads out instead of colliding.
    if (attempt > 2) await sleep(Math.random() * Math.min(2 ** attempt, 50));
  }
  throw new LedgerContentionError(maxAttempts);
}

function nextEntry(
  accountId: AccountId,
  prev: LedgerEntry | null,
  draft: Draft,
  idempotencyKey: string,
  now: Date,
  use: MonthUse,
  basis: UseBasis | null,
): NewEntry {
  const before = prev?.bucketsAfter ?? zeroBuckets();
  const bucketsAfter = zeroBuckets();
  for (const b of BUCKETS) {
    bucketsAfter[b] = before[b] + draft.deltas[b];
    // Builders never draft this; if one does, refusing is better than a negative balance.
    if (bucketsAfter[b] < 0) throw new Error(`bug: ${draft.type} would take ${b} below zero`);
  }
  const freePeriod = draft.freePeriod ?? prev?.freePeriod;
  if (freePeriod === undefined) throw new Error("bug: the first entry must start a free period");
  const seq = (prev?.seq ?? 0) + 1;
  const lotDeltas = (draft.lotDeltas ?? []).map((d) => ({ ...d }));
  const lotsAfter = applyLotDeltas(lotsOf(prev), lotDeltas, seq, draft.expiresAt ?? null, now);
  // The lots are the bonus bucket split by grant; if they stop adding up, refuse to write.
  if (lotDeltas.reduce((sum, d) => sum + d.amount, 0) !== draft.deltas.bonus) {
    throw new Error(`bug: ${draft.type}'s lot changes do not add up to its bonus change`);
  }
  if (lotsAfter.some((l) => l.remaining < 0)) {
    throw new Error(`bug: ${draft.type} would take a bonus lot below zero`);
  }
  if (lotsAfter.reduce((sum, l) => sum + l.remaining, 0) !== bucketsAfter.bonus) {
    throw new Error(`bug: after ${draft.type} the bonus lots do not add up to the bucket`);
  }
  const planExpiresAt =
    draft.planExpiresAt !== undefined ? draft.planExpiresAt : (prev?.planExpiresAt ?? null);
  // Plan credits always belong to a month (plan-bucket.ts): none may be held without its end.
  if (bucketsAfter.plan > 0 && planExpiresAt === null) {
    throw new Error(`bug: after ${draft.type} the plan bucket holds credits without an expiry`);
  }
  const amount = sumBuckets(draft.deltas);
  return {
    accountId,
    seq,
    type: draft.type,
    amount,
    deltas: { ...draft.deltas },
    bucketsAfter,
    balanceAfter: sumBuckets(bucketsAfter),
    freePeriod,
    description: draft.description,
    reference: draft.reference,
    idempotencyKey,
    refundOf: draft.refundOf ?? null,
    uncollected: draft.uncollected ?? 0,
    lotsAfter,
    lotDeltas,
    planExpiresAt,
    monthUse: entryUse(carriedFrom(use, basis, seq), draft.monthUse ?? use, basis),
    refundRequest: draft.refundRequest ?? null,
    spent: spentAfter(prev, draft.type, amount),
    createdAt: now,
  };
}
