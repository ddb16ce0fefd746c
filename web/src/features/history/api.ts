import { api, csvUrl, json, unwrap, type Schemas } from "../../api/client";

export type Transaction = Schemas["Transaction"];
export type EntryType = Transaction["type"];

export interface Filters {
  type: EntryType | "";
  /** YYYY-MM-DD, UTC; "" for no bound. */
  from: string;
  to: string;
}

const query = (f: Filters) => ({
  ...(f.type ? { type: f.type } : {}),
  ...(f.from ? { from: f.from } : {}),
  // `to` is exclusive on the API; the filter's "to" day is included.
  ...(f.to ? { to: nextDay(f.to) } : {}),
});

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export async function getPage(org: string, f: Filters, cursor?: string) {
  const page = json(
    await unwrap(
      api.GET("/api/v1/organizations/{org}/billing/transactions", {
        params: { path: { org }, query: { ...query(f), limit: 25, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );
  return { rows: page.transactions, next: page.nextCursor };
}

/** The CSV export of the same filters. */
export const historyCsvUrl = (org: string, f: Filters): string =>
  csvUrl(org, "billing/transactions", query(f));
