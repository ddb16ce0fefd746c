import type { Redis } from "ioredis";

/** As long as GitHub keeps a delivery: after that it cannot be redelivered anyway. */
const CLAIM_SECONDS = 72 * 3600;

/**
 * Which failed webhook deliveries were asked to be redelivered (src/github/redeliver-failed.ts),
 * in Redis so every worker process shares them: a claim is one SET NX, so of two runs only one
 * asks. A claim whose request GitHub refused is given back, for the next run.
 */
export function createRedeliveryClaims(redis: Redis, prefix: string) {
  const key = (deliveryId: number) => `${prefix}:redelivery-asked:${deliveryId}`;
  return {
    claim: async (deliveryId: number): Promise<boolean> =>
      (await redis.set(key(deliveryId), "1", "EX", CLAIM_SECONDS, "NX")) === "OK",
    release: async (deliveryId: number): Promise<void> => {
      await redis.del(key(deliveryId));
    },
  };
}
