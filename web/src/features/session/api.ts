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

/**
 * Ends this session, or with `everywhere` every session of the user on every device. Throws,
 * with a sentence to show, when the server could not record it: the user is still signed in.
 */
export async function signOut(everywhere = false): Promise<void> {
  const url = everywhere ? "/auth/sign-out-everywhere" : "/auth/sign-out";
  const failed = "Signing out did not go through: you are still signed in. Try again.";
  const res = await fetch(url, { method: "POST", headers: csrfHeaders() }).catch(() => null);
  // 401: no session left to end, which is what was asked.
  if (!res || (!res.ok && res.status !== 401)) throw new Error(failed);
}

export const signInUrl = (returnTo: string): string =>
  `/auth/github/sign-in?return=${encodeURIComponent(returnTo)}`;
