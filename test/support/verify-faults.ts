import type { AccountId } from "../../src/accounts/types.js";
import type { ChargeInput } from "../../src/ledger/inputs.js";
import type { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";

/**
 * What the ledger:verify fault suites share: a review charge on a pull request, a charge that
 * must be written, and the report's problems per account, so that a suite asserts a planted
 * fault is reported on its own account and nowhere else.
 */

export interface Pr {
  repository?: string;
  /** null: a reference from before repository ids were kept. */
  repositoryId?: number | null;
  number: number;
  author?: string;
}

/** A review of `pr` (acme/api, repository id 11, unless it says otherwise). */
export const reviewOf = (key: string, pr: Pr, limits?: ChargeInput["limits"]): ChargeInput => ({
  action: "review",
  description: `Review #${pr.number}`,
  reference: {
    kind: "pull_request",
    repository: pr.repository ?? "acme/api",
    ...(pr.repositoryId === null ? {} : { repositoryId: pr.repositoryId ?? 11 }),
    number: pr.number,
    ...(pr.author ? { author: pr.author } : {}),
  },
  idempotencyKey: key,
  ...(limits ? { limits } : {}),
});

/** The entry the charge wrote; a refusal fails the test's setup. */
export async function mustCharge(ledger: Ledger, id: AccountId, input: ChargeInput) {
  const r = await ledger.charge(id, input);
  if (!("entry" in r)) throw new Error(`charge ${input.idempotencyKey} refused: ${r.status}`);
  return r.entry;
}

/** ledger:verify's report, and `of(account)`: that account's problems as [seq, problem]. */
export const problemsOf = async (store: LedgerStore, maxProblems?: number) => {
  const report = await verifyLedger(store, maxProblems);
  const of = (id: AccountId): [number, string][] =>
    report.problems.filter((p) => p.accountId === id).map((p) => [p.seq, p.problem]);
  return { report, of };
};
