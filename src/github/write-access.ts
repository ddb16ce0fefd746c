import { httpStatusOf } from "../shared/errors.js";
import type { Probot } from "probot";

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

/** GitHub's legacy base roles: `maintain` reads as `write`, custom roles as their base. */
const WRITERS = new Set(["admin", "maintain", "write"]);

/**
 * WriteAccess over GitHub's REST API (GET /repos/{owner}/{repo}/collaborators/{username}/
 * permission), as the installation. Someone GitHub does not know on the repository (404) has
 * no write access; any other failure is thrown, and the delivery answers 500.
 */
export function createWriteAccess(probot: Pick<Probot, "auth">): WriteAccess {
  return async ({ installationId, repository, login }) => {
    const [owner, repo] = repository.split("/") as [string, string];
    const octokit = await probot.auth(installationId);
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
        owner,
        repo,
        username: login,
      });
      return WRITERS.has(data.permission);
    } catch (err) {
      if (httpStatusOf(err) === 404) return false;
      throw err;
    }
  };
}
