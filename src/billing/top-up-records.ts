import type { AutoTopUpRecord, AutoTopUpStore } from "./auto-top-up-store.js";

/**
 * Every account's auto top-up record, on or off, in account order, read a page at a time
 * (nothing held open between pages): what the sweep's top-up work walks. Only accounts with a
 * record can have top-ups.
 */
export async function* topUpRecords(
  settings: Pick<AutoTopUpStore, "listAfter">,
  pageSize = 200,
): AsyncIterable<AutoTopUpRecord> {
  let after = 0;
  // Ends: each page starts after the last account of the one before.
  for (;;) {
    const page = await settings.listAfter(after, pageSize);
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    after = last.accountId;
  }
}
