import { Redis } from "ioredis";

/**
 * A Redis connection for BullMQ. Workers block on Redis and must wait out a disconnection
 * instead of failing their command, so BullMQ requires maxRetriesPerRequest: null for them;
 * producers (the web side) keep a bound, so a request fails fast when Redis is down.
 */
export function createRedis(url: string, role: "worker" | "producer"): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === "worker" ? null : 3,
    enableOfflineQueue: role === "worker",
  });
}
