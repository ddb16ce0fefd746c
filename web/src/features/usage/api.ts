import { api, csvUrl, json, unwrap, type Schemas } from "../../api/client";
import type { paths } from "../../api/schema";

export type UsageReport = Schemas["UsageReport"];
export type UsageRow = Schemas["UsageRow"];
export type Grouping = UsageReport["by"];

type Query = NonNullable<
  paths["/api/v1/organizations/{org}/billing/usage"]["get"]["parameters"]["query"]
>;
export type SortColumn = NonNullable<Query["sort"]>;

export interface UsageQuery {
  /** "YYYY-MM", UTC. */
  month: string;
  by: Grouping;
  sort: SortColumn;
  order: "asc" | "desc";
}

export const getUsage = async (org: string, q: UsageQuery) =>
  json(
    await unwrap(
      api.GET("/api/v1/organizations/{org}/billing/usage", {
        params: { path: { org }, query: { ...q } },
      }),
    ),
  );

/** The same rows, in the same order, as the API's CSV. */
export const usageCsvUrl = (org: string, q: UsageQuery): string =>
  csvUrl(org, "billing/usage", { ...q });
