/** How numbers and dates read on every page. */
export const credits = (n: number): string =>
  `${n.toLocaleString("en-US")} ${Math.abs(n) === 1 ? "credit" : "credits"}`;

/** "+5 credits", "-1 credit": a change of balance. */
export const signedCredits = (n: number): string => `${n > 0 ? "+" : ""}${credits(n)}`;

export const dollars = (decimal: string): string => `$${decimal}`;

/** The currencies Jasper sells in, by their symbol; the API's decimal strings are in them. */
const SYMBOLS: Record<string, string> = { usd: "$", eur: "€", gbp: "£" };

/** A decimal string in `currency`: "$12.50", "€114.00", "£98.00" (another code: "12.50 JPY"). */
export const money = (decimal: string, currency: string): string => {
  const symbol = SYMBOLS[currency];
  return symbol ? `${symbol}${decimal}` : `${decimal} ${currency.toUpperCase()}`;
};

/** The currency's name in a heading: "US dollars", "euros", "pounds sterling". */
export const currencyName = (currency: string): string =>
  ({ usd: "US dollars", eur: "euros", gbp: "pounds sterling" })[currency] ?? currency.toUpperCase();

export const date = (iso: string): string =>
  new Date(iso).toLocaleDateString("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });

export const dateTime = (iso: string): string =>
  new Date(iso).toLocaleString("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "UTC",
    timeZoneName: "short",
  });

/** "2026-11-30" of a Date, in UTC (the ledger's days and months are UTC). */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

/** "YYYY-MM" of the month `back` months before the one `d` is in, in UTC. */
export const utcMonth = (d: Date, back = 0): string =>
  utcDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1))).slice(0, 7);

/** "November 2026" for "2026-11". */
export const monthName = (month: string): string =>
  new Date(`${month}-01T00:00:00Z`).toLocaleDateString("en-US", {
    year: "numeric",
    month: "long",
    timeZone: "UTC",
  });
