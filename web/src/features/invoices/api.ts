import { api, json, unwrap, type Schemas } from "../../api/client";

export type Invoice = Schemas["Invoice"];

/** A page of the account's invoices, newest first, from Jasper's copy (never Stripe's API). */
export async function getInvoices(org: string, cursor?: string) {
  const page = json(
    await unwrap(
      api.GET("/api/v1/organizations/{org}/billing/invoices", {
        params: { path: { org }, query: { limit: 20, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );
  return { rows: page.invoices, next: page.nextCursor };
}
