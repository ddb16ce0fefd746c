import type { AccountId } from "../accounts/types.js";
import type { Voice } from "../voice/voice.js";
import { MAX_REFUND_REASON, type RefundOnRequest } from "../reviews/refund-on-request.js";
import { memberOf, type AccountAdmin } from "../commands/permissions.js";
import type { EventLog } from "../shared/event-log.js";
import type { PullRequestComment as CommentEvent } from "./comment.js";

export interface RefundCommandDeps {
  accountAdmin: AccountAdmin;
  refundOnRequest: RefundOnRequest;
  voice: Pick<
    Voice,
    | "refundRefused"
    | "refundNeedsReason"
    | "refundReasonTooLong"
    | "nothingToRefund"
    | "refunded"
    | "alreadyRefunded"
    | "refundOverCap"
  >;
}

/** What the comment handler has read of a `refund` comment besides the event. */
export interface RefundAsk {
  accountId: AccountId;
  /** Whether the comment's author_association is one of the repository's own people. */
  listed: boolean;
  /** The rest of the command's line. */
  argument: string | undefined;
}

/**
 * `/jasper refund <reason>`, as the comment handler's answer: the reply to post.
 *
 * Who may ask: the pull request's author, whatever their tie to the repository (it is their
 * own review, and on a public repository the author of a pull request is often no
 * collaborator), and an admin of the account, who must also be one of the repository's own
 * people (OWNER, MEMBER, COLLABORATOR): an organization's admins are, and anyone else is
 * refused without asking GitHub. Everyone else is refused and nothing is written. Who may ask
 * is checked before the reason, so that someone refused is not told how to ask.
 */
export function createRefundCommand(deps: RefundCommandDeps) {
  const { voice } = deps;
  return async (event: CommentEvent, ask: RefundAsk, log: EventLog): Promise<string> => {
    const { comment, issue, repository } = event;
    // The comment handler answers only comments by a user, through an installation.
    const user = comment.user!;
    const owner = repository.owner;
    const who = memberOf(event.installation!.id, owner, user.login);
    const isAuthor = issue.user?.login.toLowerCase() === user.login.toLowerCase();
    if (!isAuthor && !(ask.listed && (await deps.accountAdmin(who)))) {
      log.info(
        { pr: issue.html_url, command: "refund" },
        "command refused: not the author or an admin",
      );
      return voice.refundRefused();
    }
    const reason = ask.argument?.trim() ?? "";
    if (!reason) return voice.refundNeedsReason();
    if (reason.length > MAX_REFUND_REASON) return voice.refundReasonTooLong(MAX_REFUND_REASON);

    const result = await deps.refundOnRequest({
      accountId: ask.accountId,
      pr: { repositoryId: repository.id, repository: repository.full_name, number: issue.number },
      user: { id: user.id, login: user.login },
      reason,
    });
    log.info({ pr: issue.html_url, status: result.status }, "refund on request");
    switch (result.status) {
      case "nothing_to_refund":
        return voice.nothingToRefund();
      case "over_refund_cap":
        return voice.refundOverCap(result);
      case "already_refunded":
        return voice.alreadyRefunded(result.entry);
      case "refunded":
        return voice.refunded({
          credits: result.entry.amount,
          balance: result.entry.balanceAfter,
          reason,
        });
    }
  };
}
export type RefundCommandHandler = ReturnType<typeof createRefundCommand>;
