import { httpStatusOf } from "../shared/errors.js";
import type { Probot } from "probot";
import type { WriteAccess } from "../commands/permissions.js";

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
