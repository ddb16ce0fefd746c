/**
 * The dashboard: who is signed in, which account the pages are about (the address's
 * `/billing/<account>/…`) and which page (pages.tsx). Pages live in features/*; the header,
 * banner and states in shared/.
 */
import { useEffect } from "preact/hooks";
import { setCsrfToken, SIGNED_OUT_EVENT } from "./api/client";
import { CalculatorPage } from "./features/calculator/calculator-page";
import { getMe, getStatus, signOut } from "./features/session/api";
import {
  NoAccountsPage,
  NotConfiguredPage,
  NotYourAccountPage,
  SignInPage,
} from "./features/session/sign-in-page";
import { CALCULATOR_SLUG, pageOf, PAGE_SLUGS, PAGES } from "./pages";
import { AccountProvider } from "./shared/account";
import { accountPath, DASHBOARD_HOME, parseDashboardPath } from "./shared/dashboard-path";
import { Layout } from "./shared/layout";
import { navigate, useLocation } from "./shared/navigate";
import { ErrorNote, Loading } from "./shared/states";
import { useLoad } from "./shared/use-load";

/** The account chosen last: where an address without one (`/billing/history`) goes. */
const ORG_KEY = "jasper.org";

async function loadSession() {
  const status = await getStatus();
  if (status.signIn !== "available")
    return { kind: "not_configured" as const, missing: status.missingSettings };
  // Asked first, so a signed-out visit makes no request that fails (a console error).
  const me = status.signedIn ? await getMe() : null;
  if (!me) return { kind: "signed_out" as const };
  setCsrfToken(me.csrfToken);
  return { kind: "signed_in" as const, me, installUrl: status.installUrl };
}

/** Signs out here (or everywhere); a sign-out the server could not record says so. */
function onSignOut(everywhere = false) {
  void signOut(everywhere).then(
    () => {
      setCsrfToken(null);
      window.location.assign(DASHBOARD_HOME);
    },
    (err: Error) => window.alert(err.message),
  );
}

export function App() {
  const url = useLocation();
  const [session, reload] = useLoad(loadSession, []);
  const where = parseDashboardPath(url.pathname, PAGE_SLUGS);
  const page = pageOf(where.page);
  const logins =
    session.state === "ready" && session.data.kind === "signed_in"
      ? session.data.me.accounts.map((a) => a.login)
      : [];
  // The address's account (any case), else the one chosen last, else the first.
  const wanted = where.org ?? window.localStorage.getItem(ORG_KEY);
  const current =
    logins.find((l) => l.toLowerCase() === wanted?.toLowerCase()) ??
    (where.org === null ? logins[0] : undefined);
  const canonical = current ? accountPath(current, page.slug) : null;

  useEffect(() => {
    // Any call answering 401 means the sign-in is over: look again (and show sign-in).
    window.addEventListener(SIGNED_OUT_EVENT, reload);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, reload);
  }, [reload]);

  useEffect(() => {
    document.title = [page.label, current, "Jasper"].filter(Boolean).join(" · ");
  }, [page, current]);

  useEffect(() => {
    if (!current || !canonical) return;
    window.localStorage.setItem(ORG_KEY, current);
    // An old address, or the account in another case: the account's own address, in place.
    if (url.pathname !== canonical)
      window.history.replaceState(null, "", `${canonical}${url.search}${url.hash}`);
  }, [current, canonical, url]);

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
  // The calculator is public: without an account to show it in, it stands alone.
  if (where.org === null && where.page === CALCULATOR_SLUG && logins.length === 0)
    return <PublicCalculator signIn={s.kind === "signed_out"} />;
  if (s.kind === "not_configured") return <NotConfiguredPage missing={s.missing} />;
  if (s.kind === "signed_out")
    return <SignInPage failed={url.searchParams.get("signin") === "failed"} />;
  const user = s.me.user.login;
  if (logins.length === 0)
    return (
      <NoAccountsPage user={user} installUrl={s.installUrl} onSignOut={onSignOut} retry={reload} />
    );
  if (!current || !canonical)
    return <NotYourAccountPage user={user} accounts={logins} onSignOut={onSignOut} />;

  return (
    <AccountProvider org={current} key={current}>
      <Layout
        path={canonical}
        page={page.slug}
        pages={PAGES}
        user={user}
        accounts={logins}
        onSwitch={(next) => navigate(accountPath(next, page.slug))}
        onSignOut={onSignOut}
      >
        {page.render(url.searchParams)}
      </Layout>
    </AccountProvider>
  );
}

function PublicCalculator({ signIn }: { signIn: boolean }) {
  return (
    <main id="main" class="narrow">
      <CalculatorPage />
      {signIn && (
        <p>
          <a href={DASHBOARD_HOME}>Sign in</a> to buy credits for your organization.
        </p>
      )}
    </main>
  );
}
