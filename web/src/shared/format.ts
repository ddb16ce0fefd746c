/** How numbers and dates read on every page. */
export const credits = (n: number): string =>
  `${n.toLocaleString("en-US")} ${Math.abs(n) === 1 ? "credit" : "credits"}`;

export const dollars = (decimal: string): string => `$${decimal}`;

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
