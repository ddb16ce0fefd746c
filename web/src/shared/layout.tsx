import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { credits } from "./format";
import { useAccount } from "./account";
import { accountPath } from "./dashboard-path";
import { onLinkClick } from "./navigate";

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
  // Free credits alone are no alarm (the API's "free" banner says what they are).
  const level = s.banner?.level === "free" ? "none" : s.alertLevel;
  return (
    <span class={`balance level-${level}`} data-testid="header-balance" aria-live="polite">
      Balance: <strong>{credits(s.balance)}</strong>
      {LEVEL_TEXT[level]}
    </span>
  );
}

/** The API's messages mark commands with backticks (as in GitHub comments): shown as code. */
function withCode(message: string) {
  return message.split("`").map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

/**
 * The API's banner (critical, depleted: an alert; free: what the free credits are), at the
 * top of the page's main area. A depleted banner says reviews are paused: said once.
 */
function Banner() {
  const { org, summary } = useAccount();
  if (summary.state !== "ready") return null;
  const s = summary.data;
  const banner =
    s.banner ??
    (s.paused
      ? {
          level: "depleted" as const,
          message: "Automatic reviews are paused: the balance cannot pay for one.",
        }
      : null);
  if (!banner) return null;
  return (
    <div
      class={`banner banner-${banner.level}`}
      role={banner.level === "free" ? "status" : "alert"}
    >
      <p>{withCode(banner.message)}</p>
      <a
        class={`button${banner.level === "free" ? "" : " primary"}`}
        href={`${accountPath(org)}#packages`}
        onClick={onLinkClick}
      >
        Buy credits
      </a>
    </div>
  );
}

export function Layout({
  path,
  page,
  pages,
  user,
  accounts,
  onSwitch,
  onSignOut,
  children,
}: {
  /** The address of the page shown: a change moves the focus to its heading. */
  path: string;
  /** The slug of the page shown, among `pages` (the navigation). */
  page: string;
  pages: readonly { slug: string; label: string }[];
  user: string;
  accounts: string[];
  onSwitch(org: string): void;
  /** `everywhere`: every session of the user, on every device. */
  onSignOut(everywhere: boolean): void;
  children: ComponentChildren;
}) {
  const { org } = useAccount();
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
            {pages.map((p) => (
              <li key={p.slug}>
                <a
                  href={accountPath(org, p.slug)}
                  onClick={onLinkClick}
                  aria-current={page === p.slug ? "page" : undefined}
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
      <main id="main" ref={main}>
        <Banner />
        {children}
      </main>
    </>
  );
}
