/**
 * Who may ask the bot for what, as ports: the commands ask GitHub (src/github implements them)
 * at the moment a command decides money or settings, never trusting what a comment says of
 * its author.
 */
import { toAccountType } from "../accounts/types.js";

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

/** Someone, on one repository, as seen by one installation of the app. */
export interface Collaborator {
  installationId: number;
  /** "owner/name". */
  repository: string;
  login: string;
}

/**
 * Whether someone may push to a repository (admin, maintain or write), as GitHub says at the
 * moment of asking. Commands that spend credits or change how a pull request is reviewed ask
 * this: a comment's author_association alone is what the comment says, not what the person may
 * do now (a MEMBER may only read this repository; access may have been removed since).
 */
export type WriteAccess = (who: Collaborator) => Promise<boolean>;
