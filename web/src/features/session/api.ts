import { api, csrfHeaders, unwrap } from "../../api/client";

export const getStatus = () => unwrap(api.GET("/api/v1/dashboard/status"));

/**
 * The signed-in user; asked only when the status says this browser is signed in. Null when the
 * sign-in ended meanwhile (401: expired, or the GitHub token revoked).
 */
export async function getMe() {
  const res = await api.GET("/api/v1/me");
  if (res.response.status === 401) return null;
  return unwrap(Promise.resolve(res));
}

export async function signOut(): Promise<void> {
  await fetch("/auth/sign-out", { method: "POST", headers: csrfHeaders() });
}

export const signInUrl = (returnTo: string): string =>
  `/auth/github/sign-in?return=${encodeURIComponent(returnTo)}`;
