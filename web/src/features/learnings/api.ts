import { api, unwrap, type Schemas } from "../../api/client";

export type Learning = Schemas["Learning"];

/** One page of the account's learnings, newest first; `search` "" for all of them. */
export async function getLearningsPage(org: string, search: string, cursor?: string) {
  const page = await unwrap(
    api.GET("/api/v1/organizations/{org}/learnings", {
      params: {
        path: { org },
        query: { limit: 25, ...(search ? { search } : {}), ...(cursor ? { cursor } : {}) },
      },
    }),
  );
  return { rows: page.learnings, next: page.nextCursor };
}

export const deleteLearning = (org: string, id: string) =>
  unwrap(
    api.DELETE("/api/v1/organizations/{org}/learnings/{id}", { params: { path: { org, id } } }),
  );
