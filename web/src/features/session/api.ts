import { api, csrfHeaders, unwrap } from "../../api/client";

export const getStatus = () => unwrap(api.GET("/api/v1/dashboard/status"));

/** The signed-in user, or null when nobody is (401). */
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
