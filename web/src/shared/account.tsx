/** The account the pages are about, and its balance, shared by the header and every page. */
import { createContext, type ComponentChildren } from "preact";
import { useContext } from "preact/hooks";
import { api, unwrap, type Schemas } from "../api/client";
import { useLoad, type Load } from "./use-load";

export interface AccountState {
  org: string;
  summary: Load<Schemas["BillingSummary"]>;
  refreshSummary(): void;
}

const Account = createContext<AccountState | null>(null);

export function AccountProvider({ org, children }: { org: string; children: ComponentChildren }) {
  const [summary, refreshSummary] = useLoad(
    () => unwrap(api.GET("/api/v1/organizations/{org}/billing", { params: { path: { org } } })),
    [org],
  );
  return <Account.Provider value={{ org, summary, refreshSummary }}>{children}</Account.Provider>;
}

export function useAccount(): AccountState {
  const value = useContext(Account);
  if (!value) throw new Error("useAccount outside AccountProvider");
  return value;
}
