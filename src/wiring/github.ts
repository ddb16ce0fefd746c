import { createAccountLifecycle } from "../administration/account-lifecycle.js";
import type { Config } from "../config/env.js";
import { createAccountAdmin } from "../github/account-admin.js";
import { jasperApp } from "../github/app.js";
import { createCommentEvents } from "../replies/comment-events.js";
import { createGitHubHost } from "../github/github-host.js";
import { pacedAuth } from "../github/paced-auth.js";
import { createPullRequestEvents } from "../github/pull-request-events.js";
import { createRefundCommand } from "../replies/refund-command.js";
import { createWriteAccess } from "../github/write-access.js";
import { createInstallationPace } from "../queue/installation-pace.js";
import { createReplyLimiter } from "../queue/reply-limiter.js";
import { createCheckRuns } from "../reviews/check-runs.js";
import { createRefundOnRequest } from "../reviews/refund-on-request.js";
import { createVoice } from "../voice/voice.js";
import type { Money } from "./money.js";
import { queuePrefixOf, type Adapters, type Tuning } from "./types.js";

/**
 * GitHub as the use cases see it: the installation's pace (shared by every process through
 * Redis: GitHub's limits are per installation, not per process), the host over Probot's
 * Octokit, the bot's voice and the check runs. Built before the money parts, which show a
 * run's end on its check run.
 */
export function wireGitHubHost(config: Config, a: Adapters, t: Tuning) {
  const botName = config.BOT_NAME;
  const pace = createInstallationPace(a.redis, { prefix: queuePrefixOf(t), ...t.pace });
  const host = createGitHubHost(pacedAuth(a.probot, pace), `${botName}[bot]`, {
    configCacheMs: t.configCacheMs ?? 30_000,
  });
  const voice = createVoice({ botName, publicUrl: config.PUBLIC_URL });
  const checkRuns = createCheckRuns({
    host,
    voice,
    runs: a.store.runs,
    onError: (err, pr) =>
      a.log.warn(
        { repository: pr.repository, number: pr.number, err: (err as Error).message },
        "check run not written",
      ),
  });
  return { pace, host, voice, checkRuns };
}
export type GitHubHostParts = ReturnType<typeof wireGitHubHost>;

/** The Probot app: installation events, pull requests, comments and their commands. */
export function wireGitHubApp(
  config: Config,
  a: Adapters,
  t: Tuning,
  { host, voice, checkRuns }: GitHubHostParts,
  money: Money,
) {
  const { store } = a;
  const botName = config.BOT_NAME;
  const replyLimiter = createReplyLimiter(a.redis, {
    prefix: queuePrefixOf(t),
    chatPerHour: t.chatPerHour ?? 20,
    commandsPerHour: t.commandsPerHour ?? 20,
    perAccountPerHour: t.repliesPerAccountPerHour ?? 200,
  });
  const accountAdmin = createAccountAdmin(a.probot);
  return jasperApp({
    lifecycle: createAccountLifecycle({ accounts: store.accounts, ledger: money.ledger }),
    onPullRequest: createPullRequestEvents({
      accounts: store.accounts,
      acceptReview: money.acceptReview,
      botLogin: `${botName}[bot]`,
      botName,
      host,
      checkRuns,
    }),
    onComment: createCommentEvents({
      accounts: store.accounts,
      writeAccess: createWriteAccess(a.probot),
      accountAdmin,
      refund: createRefundCommand({
        accountAdmin,
        refundOnRequest: createRefundOnRequest({
          runs: store.runs,
          ledger: money.ledger,
          audit: money.audit,
        }),
        voice,
      }),
      ledger: money.ledger,
      pullRequests: store.pullRequests,
      enqueueReply: money.producer.enqueueReply,
      allowChat: replyLimiter.allowChat,
      allowCommand: replyLimiter.allowCommand,
      learnings: store.learnings,
      voice,
    }),
  });
}
