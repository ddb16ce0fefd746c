import { InvalidInputError } from "../shared/errors.js";
import type { EntryRow, LedgerStore } from "./ledger-store.js";
import { accountIdSchema, listQuerySchema, parseInput, type ListQueryInput } from "./inputs.js";
import type { AccountId } from "../accounts/types.js";

export interface EntryPage {
  entries: EntryRow[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * One page of an account's entries, newest first. The cursor is the seq of the last entry
 * shown, so pages stay stable while new entries arrive at the top.
 */
export async function listEntries(
  store: Pick<LedgerStore, "listRows">,
  accountId: AccountId,
  query: ListQueryInput,
): Promise<EntryPage> {
  const id = parseInput(accountIdSchema, accountId) as AccountId;
  const { types, from, to, cursor, limit } = parseInput(listQuerySchema, query);
  const beforeSeq = cursor === undefined ? undefined : decodeCursor(cursor);
  // One more than asked tells whether another page exists.
  const found = await store.listRows(id, { types, from, to, beforeSeq, limit: limit + 1 });
  const entries = found.slice(0, limit);
  const last = entries.at(-1);
  return {
    entries,
    nextCursor: found.length > limit && last ? encodeCursor(last.seq) : null,
  };
}

export function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ v: 1, seq })).toString("base64url");
}

export function decodeCursor(cursor: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const seq = (parsed as { v?: unknown; seq?: unknown } | undefined)?.seq;
  if ((parsed as { v?: unknown } | undefined)?.v !== 1 || !Number.isSafeInteger(seq)) {
    throw new InvalidInputError("cursor: malformed", [{ path: "cursor", message: "malformed" }]);
  }
  if ((seq as number) < 1) {
    throw new InvalidInputError("cursor: out of range", [
      { path: "cursor", message: "out of range" },
    ]);
  }
  return seq as number;
}
