import { api, unwrap, type Schemas } from "../../api/client";

export type Budgets = Schemas["Budgets"];
export type BudgetRules = Schemas["BudgetRules"];
export type BudgetMeter = Schemas["BudgetMeter"];
const path = (org: string) => ({ params: { path: { org } } });

export const getBudgets = (org: string) =>
  unwrap(api.GET("/api/v1/organizations/{org}/budgets", path(org)));

/** Replaces every rule: what `rules` leaves out is no longer capped. */
export const saveBudgets = (org: string, rules: BudgetRules) =>
  unwrap(api.PUT("/api/v1/organizations/{org}/budgets", { ...path(org), body: rules }));

export type PausedReview = Schemas["PausedReview"];

/** This month's reviews stopped by a budget or by an empty balance, newest first. */
export const getPausedReviews = (org: string) =>
  unwrap(api.GET("/api/v1/organizations/{org}/reviews/paused", path(org)));
