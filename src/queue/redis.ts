import { Redis } from "ioredis";

/**
 * A Redis connection for BullMQ. Workers block on Redis and must wait out a disconnection
 * instead of failing their command, so BullMQ requires maxRetriesPerRequest: null for them;
 * producers (the web side) keep a bound, so a request fails instead of hanging when Redis is
 * down. Both queue commands until the connection is ready: a webhook that arrives while the
 * process is still connecting must not fail for that.
 */
export function createRedis(url: string, role: "worker" | "producer"): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === "worker" ? null : 3,
  });
}
