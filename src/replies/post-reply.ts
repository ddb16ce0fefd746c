import type { ProbotOctokit } from "probot";
import { toAccountId } from "../accounts/types.js";
import type { ReplyJob } from "../queue/queues.js";
import { neutralizeCommands } from "./neutralize-commands.js";
import type { ReviewEngine } from "../engine/engine.js";
import type { AcceptReview } from "../reviews/accept-review.js";
import type { PullRequestStore } from "../reviews/types.js";
import { PAUSED_NOTICE_MARKER, pausedNotice } from "./messages.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

export interface PostReplyDeps {
  pullRequests: Pick<PullRequestStore, "setPausedNoticeComment">;
  engine: ReviewEngine;
  acceptReview: Pick<AcceptReview, "accept">;
  octokitFor(installationId: number): Promise<Octokit>;
  publicUrl: string;
  botName: string;
}

/** The replies worker: posts what the webhook side decided to say. */
export type PostReply = ReturnType<typeof createPostReply>;

export function createPostReply(deps: PostReplyDeps) {
  return async function postReply(job: ReplyJob): Promise<void> {
    const octokit = await deps.octokitFor(job.installationId);
    const [owner, repo] = job.repository.split("/") as [string, string];
    const target = { owner, repo, issue_number: job.number };

    switch (job.kind) {
      case "comment":
        await octokit.rest.issues.createComment({ ...target, body: neutralizeCommands(job.body) });
        return;
      case "review_request": {
        const { data: pull } = await octokit.rest.pulls.get({
          owner,
          repo,
          pull_number: job.number,
        });
        const outcome = await deps.acceptReview.accept({
          accountId: toAccountId(job.accountId),
          installationId: job.installationId,
          pr: { repositoryId: job.repositoryId, repository: job.repository, number: job.number },
          headSha: pull.head.sha,
          url: pull.html_url,
          source: "command",
        });
        const answer =
          outcome.status === "duplicate"
            ? `A review of \`${pull.head.sha.slice(0, 7)}\` is already on its way.`
            : outcome.status === "paused" && !outcome.noticeQueued
              ? `Not enough credits for a review: the balance is 0. Buy credits at ${deps.publicUrl}/billing, then ask again.`
              : null;
        if (answer) await octokit.rest.issues.createComment({ ...target, body: answer });
        return;
      }
      case "chat": {
        const answer = await deps.engine.chat({
          repository: job.repository,
          number: job.number,
          title: job.title,
          question: job.question,
          author: job.author,
        });
        const body = `@${job.author} ${neutralizeCommands(answer)}`;
        await octokit.rest.issues.createComment({ ...target, body });
        return;
      }
      case "paused_notice": {
        // Claimed once in the database; the marker catches a retry after a post whose id we
        // never stored, so the notice is edited rather than posted twice.
        const body = pausedNotice(deps.publicUrl, deps.botName);
        const comments = await octokit.paginate(octokit.rest.issues.listComments, {
          ...target,
          per_page: 100,
        });
        const existing = comments.find((c) => c.body?.includes(PAUSED_NOTICE_MARKER));
        const id = existing
          ? (
              await octokit.rest.issues.updateComment({
                owner,
                repo,
                comment_id: existing.id,
                body,
              })
            ).data.id
          : (await octokit.rest.issues.createComment({ ...target, body })).data.id;
        await deps.pullRequests.setPausedNoticeComment(
          toAccountId(job.accountId),
          { repositoryId: job.repositoryId, repository: job.repository, number: job.number },
          id,
        );
        return;
      }
    }
  };
}
