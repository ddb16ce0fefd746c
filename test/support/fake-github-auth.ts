import { toAccountId } from "../../src/accounts/types.js";
import type { AccountRef, GitHubAuth, GitHubUser } from "../../src/api/auth/github-auth.js";

/**
 * GitHub as the tests want it: `admin-<login>` tokens administer that org (or are that user),
 * `member-<login>` tokens belong to someone who is not, anything else GitHub refuses.
 */
export class FakeGitHubAuth implements GitHubAuth {
  calls = 0;
  async identify(token: string): Promise<GitHubUser | null> {
    this.calls++;
    const m = /^(admin|member)-(.+)$/.exec(token);
    return m ? { id: m[1] === "admin" ? 1 : 2, login: `${m[1]}-of-${m[2]}` } : null;
  }
  /** `admin-<login>` and `member-<login>` tokens see the installation on <login>. */
  async installations(token: string): Promise<AccountRef[]> {
    this.calls++;
    const m = /^(admin|member)-(.+)$/.exec(token);
    return m ? [{ id: toAccountId(0), login: m[2]!, type: "Organization" }] : [];
  }
  async canAdminister(token: string, account: AccountRef): Promise<boolean> {
    this.calls++;
    return token.toLowerCase() === `admin-${account.login.toLowerCase()}`;
  }
}
