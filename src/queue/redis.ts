import { Redis } from "ioredis";
import type { RedisHealth } from "./redis-health.js";

/**
 * A Redis connection for BullMQ. Workers block on Redis and must wait out a disconnection
 * instead of failing their command, so BullMQ requires maxRetriesPerRequest: null for them;
 * producers (the web side) keep a bound, so a request fails instead of hanging when Redis is
 * down. Both queue commands until the connection is ready: a webhook that arrives while the
 * process is still connecting must not fail for that. With `health`, Redis going away and
 * coming back is logged once each (redis-health.ts) instead of once per reconnect attempt.
 */
export function createRedis(url: string, role: "worker" | "producer", health?: RedisHealth): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === "worker" ? null : 3,
  });
  return health ? health.watch(redis) : redis;
}
