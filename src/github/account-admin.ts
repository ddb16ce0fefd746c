import { toAccountType } from "../accounts/types.js";
import { httpStatusOf } from "../shared/errors.js";
import type { Probot } from "probot";

/** Someone, on the account that installed the app, as seen by that installation. */
export interface AccountMember {
  installationId: number;
  account: { login: string; type: "Organization" | "User" };
  login: string;
}

/**
 * Whether someone administers the account (an organization's owner, or the user whose
 * account it is), as GitHub says at the moment of asking. Asked by what acts on the account's
 * money for someone who has no say on it through a repository (`refund` by a non-author).
 */
export type AccountAdmin = (who: AccountMember) => Promise<boolean>;

/** Someone commenting through an installation, on the repository owner's account. */
export const memberOf = (
  installationId: number,
  owner: { login: string; type: string },
  login: string,
): AccountMember => ({
  installationId,
  account: { login: owner.login, type: toAccountType(owner.type) },
  login,
});

/**
 * AccountAdmin over GitHub's REST API: for an organization, GET /orgs/{org}/memberships/
 * {username} as the installation (the app has `members: read`), admin when the membership is
 * active with the admin role (a pending invitation is not yet anyone's); someone not in the
 * organization (404) is not. Any other failure is thrown, and the delivery answers 500 so
 * that GitHub delivers it again. A user's account has one admin: that user, whose login
 * GitHub compares without case, as here.
 */
export function createAccountAdmin(probot: Pick<Probot, "auth">): AccountAdmin {
  return async ({ installationId, account, login }) => {
    if (account.type === "User") return account.login.toLowerCase() === login.toLowerCase();
    const octokit = await probot.auth(installationId);
    try {
      const { data } = await octokit.rest.orgs.getMembershipForUser({
        org: account.login,
        username: login,
      });
      return data.state === "active" && data.role === "admin";
    } catch (err) {
      if (httpStatusOf(err) === 404) return false;
      throw err;
    }
  };
}
