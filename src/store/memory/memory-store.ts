import type { Store } from "../repository.js";
import { MemoryAccountStore } from "./memory-account-store.js";
import { MemoryLedgerStore } from "./memory-ledger-store.js";

/** Everything in process memory: nothing survives a restart. Tests and try-outs only. */
export function createMemoryStore(): Store {
  return {
    kind: "memory",
    accounts: new MemoryAccountStore(),
    ledger: new MemoryLedgerStore(),
    ping: async () => {},
    close: async () => {},
  };
}
