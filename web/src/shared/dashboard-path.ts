/**
 * Where a dashboard address points: `/billing/<account>/<page>`, the account first so a page
 * can be bookmarked and shared for it. Addresses from before the account was in them
 * (`/billing`, `/billing/history`; Stripe's return, old emails and bookmarks) have no account:
 * the app resolves them to the account chosen last. A one-segment address is such an old one
 * when the segment names a page, so an account called like a page is reached at
 * `/billing/<account>/<page>` (its Billing page too: an unknown page is the account's Billing).
 */
export const DASHBOARD_HOME = "/billing";

export interface DashboardPath {
  /** The account in the address; null in an address from before accounts were in them. */
  org: string | null;
  /** The page: "" is Billing. */
  page: string;
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** `pages`: the slugs of the pages ("history", …), Billing's "" aside. */
export function parseDashboardPath(pathname: string, pages: readonly string[]): DashboardPath {
  const rest = pathname.startsWith(DASHBOARD_HOME) ? pathname.slice(DASHBOARD_HOME.length) : "";
  const [first, second] = rest.split("/").filter(Boolean).map(decode);
  const isPage = (s: string | undefined): s is string => s !== undefined && pages.includes(s);
  if (first === undefined) return { org: null, page: "" };
  if (second === undefined && isPage(first)) return { org: null, page: first };
  return { org: first, page: isPage(second) ? second : "" };
}

/** The address of an account's page: `/billing/Acme-Corp/history`. */
export const accountPath = (org: string, page = ""): string =>
  `${DASHBOARD_HOME}/${encodeURIComponent(org)}${page ? `/${page}` : ""}`;
