import { api, unwrap, type Schemas } from "../../api/client";

export type BillingStatus = Schemas["BillingStatus"];
export type PlanOffer = BillingStatus["plans"][number];
export type Interval = "month" | "year";

export const getBillingStatus = (org: string) =>
  unwrap(api.GET("/api/v1/organizations/{org}/billing/status", { params: { path: { org } } }));

/** Stripe Checkout in subscription mode; one idempotency key per click, so a retry reuses it. */
export const startSubscription = (
  org: string,
  plan: string,
  interval: Interval,
  idempotencyKey: string,
) =>
  unwrap(
    api.POST("/api/v1/organizations/{org}/billing/subscription", {
      params: { path: { org }, header: { "idempotency-key": idempotencyKey } },
      body: { plan, interval },
    }),
  );

/** An upgrade at once, a downgrade or a switch to monthly at the period's end. */
export const changePlan = (org: string, plan: string, interval: Interval, idempotencyKey: string) =>
  unwrap(
    api.PUT("/api/v1/organizations/{org}/billing/subscription", {
      params: { path: { org }, header: { "idempotency-key": idempotencyKey } },
      body: { plan, interval },
    }),
  );

export const cancelPlan = (org: string) =>
  unwrap(
    api.POST("/api/v1/organizations/{org}/billing/subscription/cancel", {
      params: { path: { org } },
    }),
  );

export const reactivatePlan = (org: string) =>
  unwrap(
    api.POST("/api/v1/organizations/{org}/billing/subscription/reactivate", {
      params: { path: { org } },
    }),
  );

/** The Stripe billing portal: payment methods, invoices, billing details. */
export const openPortal = (org: string) =>
  unwrap(api.POST("/api/v1/organizations/{org}/billing/portal", { params: { path: { org } } }));
