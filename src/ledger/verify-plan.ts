import { BUCKETS, type EntryType, type LedgerEntry } from "./types.js";

type Fail = (e: LedgerEntry, problem: string) => void;

/** Entries written after what was due had expired (Ledger.write), as in verify-lots.ts. */
const SETTLED_TYPES = new Set<EntryType>([
  "usage",
  "refund",
  "bonus",
  "purchase",
  "adjustment",
  "plan",
]);

/**
 * The plan bucket half of ledger:verify (plan-bucket.ts), for one account's entries in seq
 * order: plan credits are held only with the end of their month; only a plan grant or a
 * refund adds to the bucket, a grant within its month and setting its end; nothing written
 * after a month's end holds its credits; an expiration empties the bucket, and only once the
 * month has ended unless a grant of another month follows it (a new subscription's);
 * and a charge takes from a bucket only when the buckets spent before it are empty (free,
 * plan, bonus, purchased). Entries written before the plan bucket have none: nothing to check.
 */
export class PlanChecker {
  private prev: LedgerEntry | null = null;
  /** An expiration before its month's end, waiting for the grant that must follow it. */
  private early: { entry: LedgerEntry; end: number } | null = null;

  constructor(private readonly fail: Fail) {}

  check(e: LedgerEntry): void {
    const fail = (problem: string) => this.fail(e, problem);
    const before = this.prev;
    this.prev = e;
    // An expiration before the month's end is a new plan month replacing it: a grant of
    // another month comes after it (other entries may get in between).
    if (this.early && e.type === "plan") {
      if (e.planExpiresAt?.getTime() === this.early.end) {
        this.fail(this.early.entry, "plan credits expired before their month ended");
      }
      this.early = null;
    }
    const end = e.planExpiresAt ?? null;
    if (e.bucketsAfter.plan > 0 && end === null) fail("plan credits held without a month's end");
    if (e.deltas.plan > 0 && e.type !== "plan" && e.type !== "refund") {
      fail(`${e.type} adds to the plan bucket`);
    }
    if (e.type === "plan") this.checkGrant(e, fail);
    if (
      SETTLED_TYPES.has(e.type) &&
      e.bucketsAfter.plan > 0 &&
      end !== null &&
      end.getTime() <= e.createdAt.getTime()
    ) {
      fail(`plan credits held past their month's end (${end.toISOString()})`);
    }
    if (e.type === "expiration" && e.deltas.plan < 0) {
      if (e.bucketsAfter.plan !== 0) fail("a plan expiration leaves plan credits");
      const was = before?.planExpiresAt ?? null;
      if (was !== null && was.getTime() > e.createdAt.getTime()) {
        if (this.early)
          this.fail(this.early.entry, "plan credits expired before their month ended");
        this.early = { entry: e, end: was.getTime() };
      }
    }
    if (e.type === "usage") this.checkSpendOrder(e, before, fail);
  }

  /** Call after the last entry: an early expiration with nothing after it is a problem too. */
  finish(): void {
    if (this.early) this.fail(this.early.entry, "plan credits expired before their month ended");
    this.early = null;
  }

  private checkGrant(e: LedgerEntry, fail: (p: string) => void): void {
    const ref = e.reference?.kind === "plan_month" ? e.reference : null;
    if (!ref) return fail("a plan grant names no plan month");
    if (e.deltas.plan <= 0 || e.amount !== e.deltas.plan) fail("a plan grant is not plan credits");
    const start = Date.parse(ref.monthStart);
    const end = Date.parse(ref.monthEnd);
    if (e.planExpiresAt?.getTime() !== end)
      fail("a plan grant's credits do not expire at its month's end");
    const at = e.createdAt.getTime();
    if (!(start <= at && at < end)) fail("a plan grant written outside its month");
  }

  private checkSpendOrder(e: LedgerEntry, before: LedgerEntry | null, fail: (p: string) => void) {
    const held = before?.bucketsAfter;
    if (!held) return;
    BUCKETS.forEach((bucket, i) => {
      if (e.deltas[bucket] >= 0) return;
      const skipped = BUCKETS.slice(0, i).find((b) => e.bucketsAfter[b] > 0);
      if (skipped) fail(`took from ${bucket} while ${skipped} still held credits`);
    });
  }
}
