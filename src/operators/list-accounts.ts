import {
  MAX_LISTING_PAGE,
  type AccountStore,
  type ListedAccount,
  type ListingCursor,
} from "../accounts/account-store.js";
import { toAccountId, type Account } from "../accounts/types.js";
import { ALERT_LEVELS, alertLevelOf, type AlertLevel } from "../ledger/credits.js";
import { InvalidInputError } from "../shared/errors.js";

/** Balances at or below this are listed by `by: "balance"`: the warning level and lower. */
export const WARNING_THRESHOLD = ALERT_LEVELS[0].threshold;

/** The page sizes an operator may ask for (the store reads at most MAX_LISTING_PAGE). */
export const LIST_LIMIT = { default: 50, max: MAX_LISTING_PAGE } as const;

export type ListOrder = "balance" | "activity";

export interface AccountLine {
  account: Pick<Account, "id" | "login" | "status">;
  balance: number;
  alertLevel: AlertLevel | "none";
  /** The newest ledger entry's time, as the listing copy holds it: the last time money moved. */
  lastActivity: Date | null;
}

export interface AccountPage {
  lines: AccountLine[];
  /** The cursor of the next page; null on the last one. */
  next: string | null;
}

export interface ListAccountsDeps {
  accounts: Pick<AccountStore, "listAccounts">;
}

/**
 * A cursor as the operator passes it back: the order it belongs to, the sort value and the
 * id of the last line ("balance:3:1042", "activity:1764979200000:1042"). Plain text rather than
 * an opaque token: an operator may read it, and a forged one only moves where a page starts.
 */
const CURSOR = /^(balance|activity):(-?\d{1,16}):(\d{1,16})$/;

function readCursor(by: ListOrder, text: string): ListingCursor {
  const [, order, value, id] = CURSOR.exec(text) ?? [];
  const problem =
    order === undefined
      ? "must be a cursor this list handed out"
      : order !== by
        ? `is a cursor of the list by ${order}, not by ${by}`
        : null;
  if (problem)
    throw new InvalidInputError(`cursor: ${problem}`, [{ path: "cursor", message: problem }]);
  return { value: Number(value), id: toAccountId(Number(id)) };
}

const cursorOf = (by: ListOrder, line: ListedAccount): string =>
  `${by}:${by === "balance" ? line.listing!.balance : line.listing!.lastActivity.getTime()}:${line.id}`;

/**
 * Accounts by balance (those at the warning level or below, lowest first) or by last
 * activity (newest first), a page at a time, ties by id. One read per page: each account's
 * balance and last activity come from its listing copy (AccountStore.recordListing), kept
 * on the account by every ledger append, never from a read of its ledger. The copy may lag
 * the ledger (docs/operations.md, "Operators"); `show` reads the ledger itself.
 */
export function createListAccounts(deps: ListAccountsDeps) {
  return async (
    by: ListOrder,
    limit: number = LIST_LIMIT.default,
    cursor?: string,
  ): Promise<AccountPage> => {
    const size = Math.min(Math.max(limit, 0), LIST_LIMIT.max);
    const after = cursor === undefined ? undefined : readCursor(by, cursor);
    const page = await deps.accounts.listAccounts({
      by,
      ...(by === "balance" ? { maxBalance: WARNING_THRESHOLD } : {}),
      after,
      limit: size,
    });
    const lines = page.map((l): AccountLine => ({
      account: { id: l.id, login: l.login, status: l.status },
      balance: l.listing?.balance ?? 0,
      alertLevel: alertLevelOf(l.listing?.balance ?? 0),
      lastActivity: l.listing?.lastActivity ?? null,
    }));
    const last = page.at(-1);
    return { lines, next: size > 0 && page.length === size && last ? cursorOf(by, last) : null };
  };
}
