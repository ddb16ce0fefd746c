/**
 * Failed authentications per client address. Without it every made-up token gets a fresh
 * per-credential budget and costs a GitHub call; with it, an address that failed `max` times
 * in a window is refused (429) before its credential is looked at, until the window ends.
 *
 * Counted with @fastify/rate-limit's own limiter (createRateLimit), so the counters live in
 * the same store as the request limit (Redis: shared by every web process): a peek
 * (`increment: false`) before authenticating, one increment per failure.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { tooManyFailedAuthentications } from "../errors.js";
import { clientAddress } from "./credential.js";

export interface FailedAuthLimit {
  /** Throws the 429 when this address has used up its failures for now. */
  check(request: FastifyRequest): Promise<void>;
  /** Counts one failed authentication of this address. */
  record(request: FastifyRequest): Promise<void>;
}

export function createFailedAuthLimit(
  scope: FastifyInstance,
  options: { max: number; timeWindowMs: number },
): FailedAuthLimit {
  const counter = scope.createRateLimit({
    max: options.max,
    timeWindow: options.timeWindowMs,
    keyGenerator: (request) => `auth-failures:${clientAddress(request)}`,
  });
  return {
    async check(request) {
      const state = await counter(request, { increment: false });
      // `remaining`, not `isExceeded` (current > max): a peek does not count this request,
      // so the address is out once its failures reach max.
      if (!state.isAllowed && state.remaining === 0) {
        throw tooManyFailedAuthentications(Math.max(1, state.ttlInSeconds));
      }
    },
    async record(request) {
      await counter(request);
    },
  };
}
