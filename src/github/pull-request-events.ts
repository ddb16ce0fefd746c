import { showAcceptOutcome } from "../reviews/show-outcome.js";
import { toAccountId, toAccountType } from "../accounts/types.js";
import type { AcceptReview } from "../reviews/accept-review.js";
import type { AccountStore } from "../accounts/account-store.js";
import type { CheckRuns } from "../reviews/check-runs.js";
import type { PullRequestHost } from "../reviews/pull-request-host.js";
import {
  configSkipReason,
  resolveRepositoryConfig,
} from "../repository-config/repository-config.js";
import type { EventLog } from "../shared/event-log.js";
import { hasIgnoreLine } from "../commands/parse-comment.js";
import type { PullRequestEvent } from "./webhook-payloads.js";

export interface PullRequestEventDeps {
  accounts: Pick<AccountStore, "get" | "upsert">;
  acceptReview: Pick<AcceptReview, "accept">;
  /** The app's bot login, `<app-slug>[bot]`: events it caused are not reviewed. */
  botLogin: string;
  /** The name people command (`/<botName> ignore` in a description). */
  botName: string;
  /** Reads the repository's `.github/jasper.yml`. */
  host: Pick<PullRequestHost, "readConfig">;
  /** The `Jasper` check run: every accepted or refused review shows on the commit. */
  checkRuns: CheckRuns;
}

/**
 * An automatic review for a pull request event, unless it is one that is never reviewed or
 * the repository's configuration skips it: a skipped pull request is never charged, and its
 * check run says why.
 */
export function createPullRequestEvents(deps: PullRequestEventDeps) {
  return async function onPullRequest(event: PullRequestEvent, log: EventLog): Promise<void> {
    const { pull_request: pull, repository, installation, sender } = event;
    // Jasper's own doings are not reviewed, and nothing is shown for them.
    if (!installation || sender.login === deps.botLogin) {
      log.debug({ pr: pull.html_url }, "pull request not reviewed");
      return;
    }
    // The description says `/jasper ignore`: Jasper stays away, no review, no check run.
    if (hasIgnoreLine(pull.body ?? "", deps.botName)) {
      log.info({ pr: pull.html_url }, "pull request not reviewed: its description says ignore");
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
    const hosted = {
      installationId: installation.id,
      repository: repository.full_name,
      number: pull.number,
    };
    const at = { headSha: pull.head.sha, externalId: `pr-${repository.id}-${pull.number}` };
    const fixed = fixedSkipReason(pull);
    if (fixed) {
      await deps.checkRuns.skipped(hosted, at, fixed);
      log.debug({ pr: pull.html_url, skip: fixed }, "pull request not reviewed");
      return;
    }
    const config = resolveRepositoryConfig(await deps.host.readConfig(hosted));
    if (config.problems.length > 0) {
      log.info({ pr: pull.html_url, problems: config.problems.length }, "configuration not used");
    }
    const skip = configSkipReason(config, {
      action: event.action ?? "",
      draft: pull.draft === true,
      baseRef: pull.base?.ref ?? null,
      author: pull.user?.login ?? null,
      labels: (pull.labels ?? []).map((l) => l.name),
      title: pull.title ?? "",
    });
    if (skip) {
      await deps.checkRuns.skipped(hosted, at, skip, config.problems);
      log.info({ pr: pull.html_url, skip }, "pull request not reviewed");
      return;
    }
    if (!known || known.login !== owner.login) {
      await deps.accounts.upsert({
        id: accountId,
        login: owner.login,
        type: toAccountType(owner.type),
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
      // The review job carries what the event said: the worker does not fetch the PR again.
      pull:
        pull.title === undefined
          ? undefined
          : { title: pull.title, body: pull.body ?? "", changedFiles: pull.changed_files },
    });
    log.info({ pr: pull.html_url, outcome: outcome.status }, "pull request review");
    await showAcceptOutcome(deps.checkRuns, hosted, at, outcome, {
      author: pull.user?.login,
      problems: config.problems,
    });
  };
}

/** What is never reviewed automatically, whatever the configuration says. */
function fixedSkipReason(pull: PullRequestEvent["pull_request"]): string | null {
  if (pull.state !== "open") return "closed";
  if (pull.user?.type === "Bot") return "opened by a bot";
  return null;
}
