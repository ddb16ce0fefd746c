/**
 * The dashboard: who is signed in, which account the pages are about, and which page.
 * Pages live in features/*; the header, banner and states in shared/.
 */
import { useEffect, useState } from "preact/hooks";
import { setCsrfToken, SIGNED_OUT_EVENT } from "./api/client";
import { ApiKeysPage } from "./features/api-keys/api-keys-page";
import { AuditPage } from "./features/audit/audit-page";
import { BillingPage } from "./features/billing/billing-page";
import { BudgetsPage } from "./features/budgets/budgets-page";
import { HistoryPage } from "./features/history/history-page";
import { NotificationsPage } from "./features/notifications/notifications-page";
import { getMe, getStatus, signOut } from "./features/session/api";
import { UsagePage } from "./features/usage/usage-page";
import { NoAccountsPage, NotConfiguredPage, SignInPage } from "./features/session/sign-in-page";
import { AccountProvider } from "./shared/account";
import { Layout } from "./shared/layout";
import { useLocation } from "./shared/navigate";
import { ErrorNote, Loading } from "./shared/states";
import { useLoad } from "./shared/use-load";

const ORG_KEY = "jasper.org";

async function loadSession() {
  const status = await getStatus();
  if (status.signIn !== "available")
    return { kind: "not_configured" as const, missing: status.missingSettings };
  const me = await getMe();
  if (!me) return { kind: "signed_out" as const };
  setCsrfToken(me.csrfToken);
  return { kind: "signed_in" as const, me };
}

const TITLES: Record<string, string> = {
  "/billing": "Billing",
  "/billing/history": "History",
  "/billing/usage": "Usage",
  "/billing/budgets": "Budgets",
  "/billing/notifications": "Notifications",
  "/billing/api-keys": "API keys",
  "/billing/audit-log": "Audit log",
};

export function App() {
  const url = useLocation();
  const [session, reload] = useLoad(loadSession, []);
  const [org, setOrg] = useState<string | null>(() => window.localStorage.getItem(ORG_KEY));
  const path = url.pathname.replace(/\/+$/, "") || "/billing";

  useEffect(() => {
    // Any call answering 401 means the sign-in is over: look again (and show sign-in).
    window.addEventListener(SIGNED_OUT_EVENT, reload);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, reload);
  }, [reload]);

  useEffect(() => {
    document.title = `${TITLES[path] ?? "Billing"} · Jasper`;
  }, [path]);

  if (session.state === "loading")
    return (
      <main id="main">
        <Loading what="your account" />
      </main>
    );
  if (session.state === "error")
    return (
      <main id="main">
        <ErrorNote message={session.message} retry={reload} />
      </main>
    );
  const s = session.data;
  if (s.kind === "not_configured") return <NotConfiguredPage missing={s.missing} />;
  if (s.kind === "signed_out")
    return <SignInPage failed={url.searchParams.get("signin") === "failed"} />;
  const logins = s.me.accounts.map((a) => a.login);
  if (logins.length === 0) return <NoAccountsPage />;
  const current = org && logins.includes(org) ? org : logins[0]!;

  return (
    <AccountProvider org={current} key={current}>
      <Layout
        path={path}
        user={s.me.user.login}
        accounts={logins}
        onSwitch={(next) => {
          window.localStorage.setItem(ORG_KEY, next);
          setOrg(next);
        }}
        onSignOut={(everywhere) => {
          void signOut(everywhere).then(
            () => {
              setCsrfToken(null);
              window.location.assign("/billing");
            },
            (err: Error) => window.alert(err.message),
          );
        }}
      >
        {path === "/billing/history" ? (
          <HistoryPage />
        ) : path === "/billing/budgets" ? (
          <BudgetsPage />
        ) : path === "/billing/notifications" ? (
          <NotificationsPage />
        ) : path === "/billing/api-keys" ? (
          <ApiKeysPage />
        ) : path === "/billing/usage" ? (
          <UsagePage />
        ) : path === "/billing/audit-log" ? (
          <AuditPage />
        ) : (
          <BillingPage query={url.searchParams} />
        )}
      </Layout>
    </AccountProvider>
  );
}
