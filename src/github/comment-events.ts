import type { Context } from "probot";
import { toAccountId, type AccountId } from "../accounts/types.js";
import type { Ledger } from "../ledger/ledger.js";
import type { ReplyJob } from "../queue/queues.js";
import { helpText } from "../replies/messages.js";
import type { PullRequestStore } from "../reviews/types.js";
import { parseComment } from "./parse-comment.js";

export interface CommentEventDeps {
  ledger: Pick<Ledger, "summary" | "costOf">;
  pullRequests: Pick<PullRequestStore, "setAutoReviewPaused">;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
  /** True while this pull request may get another chat answer (a per-PR rate limit). */
  allowChat(accountId: AccountId, repositoryId: number, number: number): Promise<boolean>;
  botName: string;
}

/**
 * Chat and commands on pull requests. Free: nothing here charges. Comments by bots, this app
 * included, are ignored, so the bot never answers itself.
 */
export function createCommentEvents(deps: CommentEventDeps) {
  return async function onComment(ctx: Context<"issue_comment.created">): Promise<void> {
    const { comment, issue, repository, installation } = ctx.payload;
    if (!issue.pull_request || !installation || comment.user?.type === "Bot") return;
    const parsed = parseComment(comment.body, deps.botName);
    if (!parsed) return;

    const accountId = toAccountId(repository.owner.id);
    const target = {
      accountId,
      installationId: installation.id,
      repository: repository.full_name,
      number: issue.number,
    };
    const pr = {
      repositoryId: repository.id,
      repository: repository.full_name,
      number: issue.number,
    };
    const reply = (body: string) =>
      deps.enqueueReply({ kind: "comment", ...target, body }, `reply-${comment.id}`);

    if (parsed.kind === "mention") {
      if (!(await deps.allowChat(accountId, repository.id, issue.number))) {
        ctx.log.info({ pr: issue.html_url }, "chat rate limit reached; mention ignored");
        return;
      }
      await deps.enqueueReply(
        {
          kind: "chat",
          ...target,
          title: issue.title,
          question: parsed.question.slice(0, 4000),
          author: comment.user?.login ?? "there",
        },
        `chat-${comment.id}`,
      );
      return;
    }

    const bot = deps.botName;
    switch (parsed.name) {
      case "review":
        await deps.enqueueReply(
          { kind: "review_request", ...target, repositoryId: repository.id },
          `review-request-${comment.id}`,
        );
        return;
      case "pause":
        await deps.pullRequests.setAutoReviewPaused(accountId, pr, true);
        return reply(
          `Automatic reviews are paused on this pull request. Comment \`/${bot} resume\` to turn them back on, or \`/${bot} review\` for a single review.`,
        );
      case "resume":
        await deps.pullRequests.setAutoReviewPaused(accountId, pr, false);
        return reply("Automatic reviews are back on for this pull request.");
      case "credits": {
        const s = await deps.ledger.summary(accountId);
        return reply(
          `Credit balance: **${s.balance}** (free ${s.buckets.free}, bonus ${s.buckets.bonus}, purchased ${s.buckets.purchased}). ` +
            `Free reviews reset on ${s.nextFreeReset.toISOString().slice(0, 10)}.` +
            (s.paused ? " Automatic reviews are paused until credits are added." : ""),
        );
      }
      case "help":
        return reply(helpText(bot, deps.ledger.costOf("review")));
      default:
        return reply(
          `Unknown command \`${parsed.name.slice(0, 40)}\`.\n\n${helpText(bot, deps.ledger.costOf("review"))}`,
        );
    }
  };
}
