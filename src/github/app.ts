import type { ApplicationFunction } from "probot";
import type { z } from "zod";
import type { AccountLifecycle, GitHubAccount } from "../administration/account-lifecycle.js";
import type { createCommentEvents } from "../replies/comment-events.js";
import type { EventLog } from "../shared/event-log.js";
import type { createPullRequestEvents } from "./pull-request-events.js";
import {
  commentEventSchema,
  describeIssues,
  fromReviewComment,
  installationEventSchema,
  installationTargetEventSchema,
  pullRequestEventSchema,
  reviewCommentEventSchema,
  type InstallationEvent,
} from "./webhook-payloads.js";

export interface AppDeps {
  lifecycle: AccountLifecycle;
  onPullRequest: ReturnType<typeof createPullRequestEvents>;
  onComment: ReturnType<typeof createCommentEvents>;
}

/**
 * The Probot app only routes, in the deliveries worker (the webhook records and queues each
 * delivery; src/deliveries/process-delivery.ts hands it here once): each event goes to one
 * use case, with everything it needs passed in, so tests can hand in fakes. The events are
 * those of HANDLED_EVENTS (webhook-payloads.ts), each read through its schema: handlers see
 * checked fields only.
 */
export function jasperApp({ lifecycle, onPullRequest, onComment }: AppDeps): ApplicationFunction {
  return (app) => {
    const on = (handler: (a: GitHubAccount) => Promise<void>) =>
      parsed(installationEventSchema, async (event, log) => {
        const account = installationAccount(event);
        if (account) await handler(account);
        else log.info("installation without a user or organization account: ignored");
      });
    app.on(["installation.created", "installation.unsuspend"], on(lifecycle.activated));
    app.on("installation.suspend", on(lifecycle.suspended));
    app.on("installation.deleted", on(lifecycle.uninstalled));
    app.on(
      ["installation.new_permissions_accepted", "installation_repositories"],
      on(lifecycle.seen),
    );
    // The account was renamed on GitHub: its new login answers at once (dashboard, API), and
    // the old one no longer does (GitHub may give it to another account).
    app.on(
      "installation_target.renamed",
      parsed(installationTargetEventSchema, async ({ account, installation, target_type }, log) => {
        if (!account.login) {
          log.info("installation target renamed without a login (an enterprise): ignored");
          return;
        }
        await lifecycle.seen({
          id: account.id,
          login: account.login,
          type: target_type,
          installationId: installation.id,
        });
        log.info({ accountId: account.id }, "account renamed");
      }),
    );
    app.on(
      [
        "pull_request.opened",
        "pull_request.reopened",
        "pull_request.ready_for_review",
        "pull_request.synchronize",
      ],
      parsed(pullRequestEventSchema, onPullRequest),
    );
    app.on("issue_comment.created", parsed(commentEventSchema, onComment));
    // A comment in an inline review thread: the same commands and chat, answered in the thread.
    app.on(
      "pull_request_review_comment.created",
      parsed(reviewCommentEventSchema, (event, log) => onComment(fromReviewComment(event), log)),
    );
  };
}

/**
 * Hands the handler the payload as its schema reads it. The webhook route has refused what
 * does not fit already (400); only a delivery that did not come through it lands here, and is
 * ignored in the same way, without a write.
 */
function parsed<S extends z.ZodType>(
  schema: S,
  handler: (event: z.output<S>, log: EventLog) => Promise<void>,
) {
  return async (ctx: { payload: unknown; log: EventLog }): Promise<void> => {
    const result = schema.safeParse(ctx.payload);
    if (!result.success) {
      ctx.log.warn(
        { problem: describeIssues(result.error) },
        "event payload does not fit: ignored",
      );
      return;
    }
    await handler(result.data, ctx.log);
  };
}

function installationAccount(event: InstallationEvent): GitHubAccount | null {
  const account = event.installation.account;
  return account
    ? {
        id: account.id,
        login: account.login,
        type: account.type,
        installationId: event.installation.id,
      }
    : null;
}
