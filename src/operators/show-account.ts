import type { AccountStore } from "../accounts/account-store.js";
import type { Account } from "../accounts/types.js";
import type { AuditEntry } from "../audit/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { BalanceSummary, Ledger } from "../ledger/ledger.js";
import type { EntryRow } from "../ledger/ledger-store.js";
import type { ReviewRun, ReviewRunStore } from "../reviews/types.js";
import { findAccount } from "./find-account.js";
import { accountRefSchema, parseOperatorInput } from "./operator.js";

/** How many of each list the view shows: a glance, not an export. */
export const SHOWN_ENTRIES = 10;
export const SHOWN_RUNS = 20;

export interface AccountView {
  account: Account;
  summary: BalanceSummary;
  /** Runs not finished yet (pending or queued), oldest first. */
  openRuns: ReviewRun[];
  /** The newest ledger entries, newest first. */
  lastEntries: EntryRow[];
  /** The newest audit entries, newest first. */
  lastAudit: AuditEntry[];
}

export interface ShowAccountDeps {
  accounts: Pick<AccountStore, "get" | "findByLogin">;
  ledger: Pick<Ledger, "summary" | "list">;
  runs: Pick<ReviewRunStore, "listStale">;
  audit: Pick<AuditLog, "list">;
  now?: () => Date;
}

/**
 * Everything an operator looks at first about one account. The balance comes from the
 * ledger's summary, as the billing API shows it (which starts the month's free tier if it is
 * due, as any read of the balance does); nothing else is written.
 */
export function createShowAccount(deps: ShowAccountDeps) {
  const now = deps.now ?? (() => new Date());
  return async (ref: string): Promise<AccountView | null> => {
    const account = await findAccount(deps.accounts, parseOperatorInput(accountRefSchema, ref));
    if (!account) return null;
    const [summary, page, audit] = await Promise.all([
      deps.ledger.summary(account.id),
      deps.ledger.list(account.id, { limit: SHOWN_ENTRIES }),
      deps.audit.list(account.id, { limit: SHOWN_ENTRIES }),
    ]);
    // Unfinished and not updated since a moment from now: every unfinished run.
    const later = new Date(now().getTime() + 1_000);
    const openRuns = await deps.runs.listStale(later, SHOWN_RUNS, undefined, account.id);
    return { account, summary, openRuns, lastEntries: page.entries, lastAudit: audit.entries };
  };
}
