import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { credits } from "./format";
import { useAccount } from "./account";
import { onLinkClick } from "./navigate";

const PAGES = [
  { href: "/billing", label: "Billing" },
  { href: "/billing/history", label: "History" },
  { href: "/billing/usage", label: "Usage" },
  { href: "/billing/budgets", label: "Budgets" },
  { href: "/billing/notifications", label: "Notifications" },
  { href: "/billing/api-keys", label: "API keys" },
  { href: "/billing/audit-log", label: "Audit log" },
];

const LEVEL_TEXT = { none: "", warning: " (low)", critical: " (critical)", depleted: " (empty)" };

function Balance() {
  const { summary } = useAccount();
  if (summary.state !== "ready")
    return (
      <span class="balance" aria-live="polite">
        Balance: {summary.state === "loading" ? "…" : "unavailable"}
      </span>
    );
  const s = summary.data;
  return (
    <span class={`balance level-${s.alertLevel}`} data-testid="header-balance" aria-live="polite">
      Balance: <strong>{credits(s.balance)}</strong>
      {LEVEL_TEXT[s.alertLevel]}
    </span>
  );
}

/** The API's messages mark commands with backticks (as in GitHub comments): shown as code. */
function withCode(message: string) {
  return message.split("`").map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

function Banner() {
  const { summary } = useAccount();
  if (summary.state !== "ready") return null;
  const s = summary.data;
  return (
    <>
      {s.banner && (
        <div class={`banner banner-${s.banner.level}`} role="alert">
          <p>{withCode(s.banner.message)}</p>
          <a class="button primary" href="/billing#packages" onClick={onLinkClick}>
            Buy credits
          </a>
        </div>
      )}
      {s.paused && !s.banner && (
        <div class="banner banner-depleted" role="alert">
          <p>Automatic reviews are paused: the balance cannot pay for one.</p>
        </div>
      )}
    </>
  );
}

export function Layout({
  path,
  user,
  accounts,
  onSwitch,
  onSignOut,
  children,
}: {
  path: string;
  user: string;
  accounts: string[];
  onSwitch(org: string): void;
  /** `everywhere`: every session of the user, on every device. */
  onSignOut(everywhere: boolean): void;
  children: ComponentChildren;
}) {
  const { org, summary } = useAccount();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // After a client-side page change, focus goes to the new page's heading, as a page load
    // would put a screen reader at the top (not on the first load: the browser does that).
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector("h1");
    heading?.setAttribute("tabindex", "-1");
    heading?.focus();
  }, [path]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">Jasper</div>
        <nav aria-label="Dashboard">
          <ul>
            {PAGES.map((p) => (
              <li key={p.href}>
                <a
                  href={p.href}
                  onClick={onLinkClick}
                  aria-current={path === p.href ? "page" : undefined}
                >
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {accounts.length > 1 ? (
            <label>
              <span class="visually-hidden">Organization</span>
              <select
                value={org}
                onChange={(e) => onSwitch((e.currentTarget as HTMLSelectElement).value)}
              >
                {accounts.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span class="org">{org}</span>
          )}
          <Balance />
          <span class="user">{user}</span>
          <button type="button" onClick={() => onSignOut(false)}>
            Sign out
          </button>
          <button
            type="button"
            title="Ends every session of yours, on every device"
            onClick={() => onSignOut(true)}
          >
            Sign out everywhere
          </button>
        </div>
      </header>
      <Banner />
      {summary.state === "ready" && summary.data.paused && summary.data.banner && (
        <p class="paused-note">Automatic reviews are paused until you buy credits.</p>
      )}
      <main id="main" ref={main}>
        {children}
      </main>
    </>
  );
}
