import type { Redis } from "ioredis";
import type { AccountId } from "../accounts/types.js";

/**
 * Chat is free, so it is rate-limited per pull request: at most `perHour` answers in each
 * clock hour, counted in Redis so every web process shares the count.
 */
export function createChatLimiter(redis: Redis, o: { prefix: string; perHour: number }) {
  return async function allowChat(
    accountId: AccountId,
    repositoryId: number,
    number: number,
  ): Promise<boolean> {
    const hour = Math.floor(Date.now() / 3_600_000);
    const key = `${o.prefix}:chat-limit:${accountId}:${repositoryId}:${number}:${hour}`;
    const [[, count]] = (await redis.multi().incr(key).expire(key, 3_600).exec()) as [
      [Error | null, number],
    ];
    return count <= o.perHour;
  };
}
