import { api, unwrap, type Schemas } from "../../api/client";

export type ApiKey = Schemas["ApiKey"];
const path = (org: string) => ({ params: { path: { org } } });

export const listKeys = (org: string) =>
  unwrap(api.GET("/api/v1/organizations/{org}/api-keys", path(org)));

export const createKey = (org: string, name: string, scope: "read" | "write") =>
  unwrap(api.POST("/api/v1/organizations/{org}/api-keys", { ...path(org), body: { name, scope } }));

export const revokeKey = (org: string, id: string) =>
  unwrap(
    api.DELETE("/api/v1/organizations/{org}/api-keys/{id}", { params: { path: { org, id } } }),
  );
