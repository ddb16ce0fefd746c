import { api, unwrap, type Schemas } from "../../api/client";

export type AuditEntry = Schemas["AuditEntry"];
export type AuditAction = AuditEntry["action"];

/** One page of the audit log, newest first; `action` "" for every action. */
export async function getAuditPage(org: string, action: AuditAction | "", cursor?: string) {
  const page = await unwrap(
    api.GET("/api/v1/organizations/{org}/audit-log", {
      params: {
        path: { org },
        query: { limit: 25, ...(action ? { action } : {}), ...(cursor ? { cursor } : {}) },
      },
    }),
  );
  return { rows: page.entries, next: page.nextCursor };
}
