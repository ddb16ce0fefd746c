import type { Redis } from "ioredis";
import type { AccountId } from "../accounts/types.js";

export interface ReplyLimits {
  prefix: string;
  /** Chat answers per pull request and clock hour. */
  chatPerHour: number;
  /** Command answers per pull request and clock hour. */
  commandsPerHour: number;
  /**
   * Chat and command answers together per account (one installation of the app) and clock
   * hour: they spend the installation's 500 content requests an hour that its reviews need too.
   */
  perAccountPerHour: number;
}

export type AllowReply = (
  accountId: AccountId,
  repositoryId: number,
  number: number,
) => Promise<boolean>;

/**
 * Chat and commands are free, so they are rate-limited per pull request and per account:
 * counted in Redis, per clock hour, so every web process shares the counts. A comment over
 * either limit is not answered (the caller logs it; answering would be the spam it limits).
 */
export function createReplyLimiter(
  redis: Redis,
  o: ReplyLimits,
): { allowChat: AllowReply; allowCommand: AllowReply } {
  const allow =
    (kind: "chat" | "command", perPullRequest: number): AllowReply =>
    async (accountId, repositoryId, number) => {
      const hour = Math.floor(Date.now() / 3_600_000);
      const prKey = `${o.prefix}:${kind}-limit:${accountId}:${repositoryId}:${number}:${hour}`;
      const accountKey = `${o.prefix}:reply-limit:${accountId}:${hour}`;
      const [[, forPr], , [, forAccount]] = (await redis
        .multi()
        .incr(prKey)
        .expire(prKey, 3_600)
        .incr(accountKey)
        .expire(accountKey, 3_600)
        .exec()) as [[Error | null, number], unknown, [Error | null, number]];
      return forPr <= perPullRequest && forAccount <= o.perAccountPerHour;
    };
  return {
    allowChat: allow("chat", o.chatPerHour),
    allowCommand: allow("command", o.commandsPerHour),
  };
}
