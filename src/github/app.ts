import type { ApplicationFunction, Context } from "probot";
import type { AccountLifecycle, GitHubAccount } from "../accounts/account-lifecycle.js";
import type { createCommentEvents } from "./comment-events.js";
import type { createPullRequestEvents } from "./pull-request-events.js";

export interface AppDeps {
  lifecycle: AccountLifecycle;
  onPullRequest: ReturnType<typeof createPullRequestEvents>;
  onComment: ReturnType<typeof createCommentEvents>;
}

type InstallationEvent = Context<"installation" | "installation_repositories">;

/**
 * The Probot app only routes: each event goes to one use case, with everything it needs
 * passed in, so tests can hand in fakes.
 */
export function jasperApp({ lifecycle, onPullRequest, onComment }: AppDeps): ApplicationFunction {
  return (app) => {
    const on = (handler: (a: GitHubAccount) => Promise<void>) => async (ctx: InstallationEvent) => {
      const account = installationAccount(ctx);
      if (account) await handler(account);
      else ctx.log.info("installation without a user or organization account: ignored");
    };
    app.on(["installation.created", "installation.unsuspend"], on(lifecycle.activated));
    app.on("installation.suspend", on(lifecycle.suspended));
    app.on("installation.deleted", on(lifecycle.uninstalled));
    app.on(
      ["installation.new_permissions_accepted", "installation_repositories"],
      on(lifecycle.seen),
    );
    app.on(
      [
        "pull_request.opened",
        "pull_request.reopened",
        "pull_request.ready_for_review",
        "pull_request.synchronize",
      ],
      onPullRequest,
    );
    app.on("issue_comment.created", onComment);
  };
}

/** Enterprise-wide installations name an enterprise, not an account Jasper bills. */
function installationAccount(ctx: InstallationEvent): GitHubAccount | null {
  const account = ctx.payload.installation.account;
  if (!account || !("login" in account)) return null;
  return { id: account.id, login: account.login, type: account.type };
}
