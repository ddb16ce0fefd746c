/** The account's settings (GET/PUT .../billing/settings), read by the Notifications and Settings pages. */
import { api, unwrap, type Schemas } from "../api/client";

export type Settings = Schemas["BillingSettings"];
const path = (org: string) => ({ params: { path: { org } } });

export const getSettings = (org: string) =>
  unwrap(api.GET("/api/v1/organizations/{org}/billing/settings", path(org)));

export const saveSettings = (org: string, body: Partial<Settings>) =>
  unwrap(api.PUT("/api/v1/organizations/{org}/billing/settings", { ...path(org), body }));
