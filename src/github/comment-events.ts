import type { Context } from "probot";
import { toAccountId, type AccountId } from "../accounts/types.js";
import type { Ledger } from "../ledger/ledger.js";
import type { ReplyJob } from "../queue/queues.js";
import { isCommandName, type CommandName } from "../replies/commands.js";
import type { Voice } from "../replies/voice.js";
import type { PullRequestStore } from "../reviews/types.js";
import { parseComment } from "./parse-comment.js";

export interface CommentEventDeps {
  ledger: Pick<Ledger, "summary" | "costOf">;
  pullRequests: Pick<PullRequestStore, "setAutoReviewPaused">;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
  /** True while this pull request may get another chat answer (a per-PR rate limit). */
  allowChat(accountId: AccountId, repositoryId: number, number: number): Promise<boolean>;
  /** What the bot says, and the name it answers to. */
  voice: Voice;
}

/**
 * Chat and commands on pull requests. Free: nothing here charges. Comments by bots, this app
 * included, are ignored, so the bot never answers itself.
 */
export function createCommentEvents(deps: CommentEventDeps) {
  return async function onComment(ctx: Context<"issue_comment.created">): Promise<void> {
    const { comment, issue, repository, installation } = ctx.payload;
    if (!issue.pull_request || !installation || comment.user?.type === "Bot") return;
    const { voice } = deps;
    const parsed = parseComment(comment.body, voice.botName);
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

    if (!isCommandName(parsed.name)) {
      return reply(voice.unknownCommand(parsed.name, deps.ledger.costOf("review")));
    }
    // One answer per command of the shared table: a command added there must be answered here.
    const commands: Record<CommandName, () => Promise<void>> = {
      review: () =>
        deps.enqueueReply(
          { kind: "review_request", ...target, repositoryId: repository.id, commentId: comment.id },
          `review-request-${comment.id}`,
        ),
      pause: async () => {
        await deps.pullRequests.setAutoReviewPaused(accountId, pr, true);
        await reply(voice.autoReviewsPaused());
      },
      resume: async () => {
        await deps.pullRequests.setAutoReviewPaused(accountId, pr, false);
        await reply(voice.autoReviewsResumed());
      },
      credits: async () => reply(voice.credits(await deps.ledger.summary(accountId))),
      help: () => reply(voice.help(deps.ledger.costOf("review"))),
    };
    await commands[parsed.name]();
  };
}
