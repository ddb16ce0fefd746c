import { toAccountId } from "../accounts/types.js";
import type { AcceptReview } from "../reviews/accept-review.js";
import type { AccountStore } from "../accounts/account-store.js";
import type { EventLog } from "./event-log.js";
import type { PullRequestEvent } from "./webhook-payloads.js";

export interface PullRequestEventDeps {
  accounts: Pick<AccountStore, "get" | "upsert">;
  acceptReview: Pick<AcceptReview, "accept">;
  /** The app's bot login, `<app-slug>[bot]`: events it caused are not reviewed. */
  botLogin: string;
}

/** An automatic review for a pull request event, unless it is one that is never reviewed. */
export function createPullRequestEvents(deps: PullRequestEventDeps) {
  return async function onPullRequest(event: PullRequestEvent, log: EventLog): Promise<void> {
    const { pull_request: pull, repository, installation, sender } = event;
    const skip = skipReason(pull, sender, deps.botLogin);
    if (!installation || skip) {
      log.debug({ pr: pull.html_url, skip }, "pull request not reviewed");
      return;
    }
    // The repository's owner is the installation's account, the one that pays.
    const owner = repository.owner;
    const accountId = toAccountId(owner.id);
    const known = await deps.accounts.get(accountId);
    // A suspended or removed installation is neither reviewed nor charged (and could not post
    // the review anyway); its account and ledger stay as they are.
    if (known && known.status !== "active") {
      log.info(
        { pr: pull.html_url, status: known.status },
        "pull request not reviewed: account inactive",
      );
      return;
    }
    if (!known || known.login !== owner.login) {
      await deps.accounts.upsert({
        id: accountId,
        login: owner.login,
        type: owner.type === "User" ? "User" : "Organization",
      });
    }
    const outcome = await deps.acceptReview.accept({
      accountId,
      installationId: installation.id,
      pr: { repositoryId: repository.id, repository: repository.full_name, number: pull.number },
      headSha: pull.head.sha,
      url: pull.html_url,
      source: "auto",
      author: pull.user?.login,
    });
    log.info({ pr: pull.html_url, outcome: outcome.status }, "pull request review");
  };
}

function skipReason(
  pull: PullRequestEvent["pull_request"],
  sender: PullRequestEvent["sender"],
  botLogin: string,
): string | null {
  if (pull.draft) return "draft";
  if (pull.state !== "open") return "closed";
  if (pull.user?.type === "Bot") return "opened by a bot";
  if (sender.login === botLogin) return "caused by Jasper itself";
  return null;
}
