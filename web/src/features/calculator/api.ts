import { api, unwrap, type Schemas } from "../../api/client";

export type CostEstimate = Schemas["CostEstimate"];
export interface Workload {
  pullRequestsPerMonth: number;
  pushesPerPullRequest: number;
  charging: CostEstimate["charging"];
  /** What the prices are in: the packages' own prices in it (USD, EUR or GBP). */
  currency: CostEstimate["currency"];
}

/** POST /billing/calculator: public, so it works signed out. */
export const estimateCost = (body: Workload) =>
  unwrap(api.POST("/api/v1/billing/calculator", { body }));
