import type { AccountStore } from "../accounts/account-store.js";
import { toAccountId, type Account } from "../accounts/types.js";

/** The account a login or an id names; null when Jasper holds none. */
export async function findAccount(
  accounts: Pick<AccountStore, "get" | "findByLogin">,
  ref: string,
): Promise<Account | null> {
  if (/^\d+$/.test(ref)) {
    const id = Number(ref);
    if (Number.isSafeInteger(id) && id > 0) {
      const byId = await accounts.get(toAccountId(id));
      if (byId) return byId;
    }
  }
  // A login may be all digits too: then it is looked up as a login as well.
  return accounts.findByLogin(ref);
}
