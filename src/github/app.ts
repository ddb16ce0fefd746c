import type { ApplicationFunction, Context } from "probot";
import type { AccountLifecycle, GitHubAccount } from "../accounts/account-lifecycle.js";

export interface AppDeps {
  lifecycle: AccountLifecycle;
}

type InstallationEvent = Context<"installation" | "installation_repositories">;

/**
 * The Probot app only routes: each event goes to one use case, with everything it needs
 * passed in, so tests can hand in fakes. Pull requests and comments arrive with issue #3.
 */
export function jasperApp({ lifecycle }: AppDeps): ApplicationFunction {
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
  };
}

/** Enterprise-wide installations name an enterprise, not an account Jasper bills. */
function installationAccount(ctx: InstallationEvent): GitHubAccount | null {
  const account = ctx.payload.installation.account;
  if (!account || !("login" in account)) return null;
  return { id: account.id, login: account.login, type: account.type };
}
