import { api, json, unwrap, type Schemas } from "../../api/client";

export type Transaction = Schemas["Transaction"];

export const getPackages = () => unwrap(api.GET("/api/v1/billing/packages"));

export type Currency = Schemas["BillingSummary"]["currency"];

/**
 * A Checkout Session for `pkg` in `currency`; one idempotency key per click, so a retry
 * reuses it.
 */
export const startCheckout = (
  org: string,
  pkg: string,
  idempotencyKey: string,
  currency: Currency,
) =>
  unwrap(
    api.POST("/api/v1/organizations/{org}/billing/checkout", {
      params: { path: { org }, header: { "idempotency-key": idempotencyKey } },
      body: { package: pkg, currency },
    }),
  );

/** Every entry of these types since `from`, following the cursor to the end. */
export async function transactionsSince(
  org: string,
  types: Transaction["type"][],
  from: string,
): Promise<Transaction[]> {
  const all: Transaction[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const data = json(
      await unwrap(
        api.GET("/api/v1/organizations/{org}/billing/transactions", {
          params: { path: { org }, query: { type: types, from, limit: 100, cursor } },
        }),
      ),
    );
    all.push(...data.transactions);
    if (!data.nextCursor) break;
    cursor = data.nextCursor;
  }
  return all;
}

export type AutoTopUp = Schemas["AutoTopUp"];
export type AutoTopUpChange = Pick<
  AutoTopUp,
  "enabled" | "package" | "thresholdCredits" | "monthlyMaxCount" | "monthlyMaxCents"
>;

/** Auto top-up's settings, its card, this month's top-ups and the last attempt. */
export const getAutoTopUp = (org: string) =>
  unwrap(api.GET("/api/v1/organizations/{org}/billing/auto-top-up", { params: { path: { org } } }));

/** The whole settings (an admin's change). */
export const putAutoTopUp = (org: string, body: AutoTopUpChange) =>
  unwrap(
    api.PUT("/api/v1/organizations/{org}/billing/auto-top-up", {
      params: { path: { org } },
      body,
    }),
  );

/** Stripe Checkout in setup mode for saving a card; one key per click. */
export const startCardSetup = (org: string, idempotencyKey: string) =>
  unwrap(
    api.POST("/api/v1/organizations/{org}/billing/payment-method/setup", {
      params: { path: { org }, header: { "idempotency-key": idempotencyKey } },
    }),
  );
