import type { LedgerStore } from "./ledger-store.js";
import { BUCKETS, sumBuckets, zeroBuckets, type LedgerEntry, type Lot } from "./types.js";
import type { AccountId } from "../accounts/types.js";
import { LotChecker, refundLotProblem } from "./verify-lots.js";
import { MonthUseChecker } from "./verify-month-use.js";
import { PlanChecker } from "./verify-plan.js";
import { spentAfter } from "./spent.js";
import { planIsLive } from "./plan-bucket.js";

export interface LedgerProblem {
  accountId: AccountId;
  seq: number;
  entryId: string;
  problem: string;
}

export interface VerifyReport {
  accounts: number;
  entries: number;
  /** How many problems there are; `problems` keeps the first `maxProblems` of them. */
  problemCount: number;
  problems: LedgerProblem[];
}

/**
 * Proves the ledger: for every account, entries run seq 1, 2, 3... without gaps; each one's
 * amount is the sum of its bucket deltas; its buckets and balance follow from the entry
 * before; no bucket is ever negative; the running sum of amounts equals the balance; each
 * refund gives back exactly one earlier usage charge, once, to the lots it came from or as the
 * refund rule says; the bonus lots hold up (verify-lots.ts); the plan bucket and the spend
 * order hold up (verify-plan.ts); and each entry's month use is
 * what the month's entries add up to (verify-month-use.ts). Streams every account's
 * entries, so memory grows only with the number of refunds and expired lots.
 */
export async function verifyLedger(store: LedgerStore, maxProblems = 1000): Promise<VerifyReport> {
  const report: VerifyReport = { accounts: 0, entries: 0, problemCount: 0, problems: [] };
  const fail = (e: LedgerEntry, problem: string): void => {
    report.problemCount++;
    if (report.problems.length < maxProblems) {
      report.problems.push({ accountId: e.accountId, seq: e.seq, entryId: e.id, problem });
    }
  };

  for await (const accountId of store.accountIds()) {
    report.accounts++;
    let buckets = zeroBuckets();
    let sum = 0;
    let expectedSeq = 1;
    const refunded = new Set<string>();
    const lots = new LotChecker(fail);
    const use = new MonthUseChecker(fail);
    const plan = new PlanChecker(fail);
    let prev: LedgerEntry | null = null;

    for await (const e of store.stream(accountId, "asc")) {
      report.entries++;
      if (e.seq !== expectedSeq) fail(e, `seq is ${e.seq}, expected ${expectedSeq}`);
      expectedSeq = e.seq + 1;
      const numbers = [e.amount, e.balanceAfter, e.uncollected, ...Object.values(e.deltas)];
      if (!numbers.every(Number.isSafeInteger)) fail(e, "an amount is not an integer");
      if (e.amount !== sumBuckets(e.deltas)) {
        fail(e, `amount ${e.amount} is not the sum of its bucket changes`);
      }
      for (const b of BUCKETS) {
        const expected = buckets[b] + e.deltas[b];
        if (e.bucketsAfter[b] !== expected) {
          fail(e, `${b} after is ${e.bucketsAfter[b]}, the entries before give ${expected}`);
        }
        if (e.bucketsAfter[b] < 0) fail(e, `${b} is negative (${e.bucketsAfter[b]})`);
      }
      sum += e.amount;
      if (e.balanceAfter !== sum) {
        fail(e, `balance_after is ${e.balanceAfter}, the sum of entries up to it is ${sum}`);
      }
      if (e.balanceAfter !== sumBuckets(e.bucketsAfter)) {
        fail(e, `balance_after ${e.balanceAfter} is not the sum of its buckets`);
      }
      const lotsBefore = lots.current();
      lots.check(e);
      plan.check(e);
      const charge =
        e.type === "refund" && e.refundOf ? await store.findById(accountId, e.refundOf) : null;
      use.check(e, charge ?? undefined);
      if (e.type === "refund") checkRefund(e, prev, charge, lotsBefore, refunded, fail);
      checkSpent(e, prev, fail);
      buckets = { ...e.bucketsAfter };
      prev = e;
    }
    plan.finish();
  }
  return report;
}

/**
 * The running net spend (spent.ts): what the entry before carries plus the entry's own, counting
 * from the same entry; from the entry itself after one without it. Older entries carry none.
 */
function checkSpent(e: LedgerEntry, prev: LedgerEntry | null, fail: Fail): void {
  if (!e.spent) return;
  const expected = spentAfter(prev, e.type, e.amount);
  if (e.spent.total !== expected.total || e.spent.from !== expected.from) {
    fail(
      e,
      `its net spend is ${e.spent.total} counted from seq ${e.spent.from}, the entries give ` +
        `${expected.total} from seq ${expected.from}`,
    );
  }
}

type Fail = (e: LedgerEntry, problem: string) => void;

function checkRefund(
  refund: LedgerEntry,
  prev: LedgerEntry | null,
  charge: LedgerEntry | null,
  lotsBefore: readonly Lot[],
  refunded: Set<string>,
  fail: (e: LedgerEntry, problem: string) => void,
): void {
  if (refund.refundOf === null) return fail(refund, "refund names no charge");
  if (refunded.has(refund.refundOf)) return fail(refund, "charge refunded more than once");
  refunded.add(refund.refundOf);
  if (!charge || charge.type !== "usage" || charge.seq >= refund.seq) {
    return fail(refund, "refund does not follow a usage charge of this account");
  }
  // Plan credits come back as bonus credits only when no plan month runs (Ledger.refund);
  // while one runs they go back to the plan bucket, to expire with it.
  const moved = refund.deltas.plan === 0 ? -charge.deltas.plan : 0;
  if (moved > 0 && planIsLive(prev, refund.createdAt)) {
    return fail(refund, "refund gives plan credits back as bonus credits while a plan month runs");
  }
  const back = {
    ...refund.deltas,
    plan: refund.deltas.plan + moved,
    bonus: refund.deltas.bonus - moved,
  };
  if (BUCKETS.some((b) => back[b] !== -charge.deltas[b])) {
    return fail(refund, "refund does not give back exactly what the charge took");
  }
  const lotProblem = refundLotProblem(refund, charge, lotsBefore, moved);
  if (lotProblem) fail(refund, lotProblem);
}
