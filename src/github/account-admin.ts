import type { AccountAdmin } from "../commands/permissions.js";
import { httpStatusOf } from "../shared/errors.js";
import type { Probot } from "probot";

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
