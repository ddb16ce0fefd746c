/**
 * The typed API client: openapi-fetch over the types generated from the server's own OpenAPI
 * document (schema.d.ts, `npm run api:types`). Same origin: the session cookie goes along by
 * itself; every change carries the session's CSRF token (from GET /api/v1/me).
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null): void => {
  csrfToken = token;
};
export const csrfHeaders = (): Record<string, string> =>
  csrfToken ? { "x-csrf-token": csrfToken } : {};

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== "GET" && csrfToken) request.headers.set("x-csrf-token", csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(csrf);

/** Fired when the API says the session is gone, so the app can ask to sign in again. */
export const SIGNED_OUT_EVENT = "jasper:signed-out";

/** An API failure as people read it: a sentence, never a body or a stack. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const FRIENDLY: Record<number, string> = {
  401: "Your sign-in has ended. Sign in again.",
  403: "You are not allowed to do this.",
  404: "Not found, or you do not have access to it.",
  429: "Too many requests. Wait a moment and try again.",
  503: "A service Jasper needs is unavailable. Try again shortly.",
};

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call; an ApiProblem with a readable message otherwise. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch {
    throw new ApiProblem(0, "Jasper could not be reached. Check your connection and retry.");
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  // The session ended (expired, or the GitHub token was revoked): the app shows sign-in.
  if (response.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  const message = (error as { error?: { message?: unknown } } | undefined)?.error?.message;
  const status = response.status;
  // The API's own messages are written for people; anything else gets a general sentence.
  const text =
    status === 400 && typeof message === "string"
      ? message
      : (FRIENDLY[status] ?? "Something went wrong. Try again.");
  throw new ApiProblem(status, text);
}

/** A JSON body where the route may also answer CSV (transactions): only JSON is asked for. */
export function json<T>(data: T | string): T {
  if (typeof data === "string") throw new ApiProblem(0, "Something went wrong. Try again.");
  return data;
}

/**
 * A CSV export as a plain link: a GET needs no CSRF token and the session cookie goes along,
 * so the browser downloads the API's streamed CSV itself, with the API's file name.
 */
export function csvUrl(
  org: string,
  route: "billing/transactions" | "billing/usage",
  query: Record<string, string>,
): string {
  const params = new URLSearchParams({ format: "csv", ...query });
  return `/api/v1/organizations/${encodeURIComponent(org)}/${route}?${params}`;
}
