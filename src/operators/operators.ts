/**
 * The operators' use cases, as one object: what `jasper-admin` (src/cli/jasper-admin.ts) and
 * the operator API (src/api/operator-api.ts) both call, so the two cannot drift apart.
 */
import type { AccountStore } from "../accounts/account-store.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import type { Ledger } from "../ledger/ledger.js";
import { verifyLedger, type VerifyReport } from "../ledger/verify-ledger.js";
import type { Sweep, SweepReport } from "../reviews/sweep-runs.js";
import type { ReviewRunStore } from "../reviews/types.js";
import { InvalidInputError } from "../shared/errors.js";
import type { PlanMonthDeps } from "../billing/plan-months.js";
import { createAdjustBalance } from "./adjust-balance.js";
import { createEnterprisePlan } from "./enterprise-plan.js";
import { findAccount } from "./find-account.js";
import { createGrantBonus } from "./grant-bonus.js";
import { createListAccounts } from "./list-accounts.js";
import { repairListings, type RepairReport } from "./repair-listings.js";
import { accountRefSchema, parseOperatorInput } from "./operator.js";
import { createShowAccount } from "./show-account.js";

/** How old an unfinished run must be for the sweep to touch it: the worker's own default. */
export const SWEEP_STALE_AFTER_MS = 15 * 60_000;

export interface OperatorDeps {
  accounts: Pick<AccountStore, "get" | "findByLogin" | "listAccounts" | "recordListing">;
  ledger: Pick<Ledger, "grant" | "adjust" | "summary" | "list">;
  /** The ledger check reads the store directly, as ledger:verify does. */
  ledgerStore: LedgerStore;
  runs: Pick<ReviewRunStore, "listStale">;
  audit: AuditLog;
  sweep: Sweep;
  /** For enterprise plans: the plan months' ledger, subscriptions, catalog and clock. */
  planMonths: PlanMonthDeps;
  now?: () => Date;
}

export function createOperators(deps: OperatorDeps) {
  return {
    grantBonus: createGrantBonus(deps),
    adjustBalance: createAdjustBalance(deps),
    /** Puts one account on a custom (enterprise) plan, or changes its terms; audited. */
    enterprisePlan: createEnterprisePlan(deps),
    showAccount: createShowAccount(deps),
    listAccounts: createListAccounts({ accounts: deps.accounts }),
    /** Fills in or catches up every account's listing copy from its ledger (repair-listings.ts). */
    repairListings: (): Promise<RepairReport> =>
      repairListings({ accounts: deps.accounts, ledger: deps.ledgerStore }),
    /**
     * What the sweep does, now, for one account: resumes, requeues or fails its runs
     * unfinished for `staleAfterMs` (default the worker's 15 minutes; 0: every unfinished run,
     * which is safe because every step is conditional on the run's state) and settles
     * refunds still due. Refunds it makes are audited by the ledger's hook.
     */
    async sweepAccount(
      ref: string,
      staleAfterMs: number = SWEEP_STALE_AFTER_MS,
    ): Promise<SweepReport | null> {
      const account = await findAccount(deps.accounts, parseOperatorInput(accountRefSchema, ref));
      if (!account) return null;
      if (!Number.isSafeInteger(staleAfterMs) || staleAfterMs < 0) {
        throw new InvalidInputError("staleAfter: must be a whole number of minutes, 0 or more", [
          { path: "staleAfter", message: "must be 0 or more" },
        ]);
      }
      // The system clock, as the worker's sweep: runs carry the store's own times.
      return deps.sweep(new Date(Date.now() - staleAfterMs), { accountId: account.id });
    },
    /** The ledger check (ledger:verify), read-only. */
    verifyLedger: (): Promise<VerifyReport> => verifyLedger(deps.ledgerStore),
  };
}
export type Operators = ReturnType<typeof createOperators>;
