import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { probotLog } from "../../src/github/probot.js";

export const WEBHOOK_SECRET = "test-webhook-secret";

/** A throwaway App key: Probot needs a valid one even when no test calls GitHub. */
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

/**
 * A Probot as createProbot builds it; logging to `log` (as production does) when given.
 * `retries: true` keeps Octokit's retry plugin on (as in production, with no wait between
 * tries), for tests of what is and is not retried.
 */
export function testProbot(log?: Logger, { retries = false } = {}): Probot {
  return new Probot({
    appId: 1234,
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    secret: WEBHOOK_SECRET,
    // Without a log of the test's: quiet, tests send bad deliveries on purpose.
    ...(log ? { log: probotLog(log) } : { logLevel: "fatal" as const }),
    // No retries or throttling in tests: a failing call should fail the test at once.
    // The function form sees the options Probot built (its throttle settings included), so
    // `enabled: false` survives into installation clients; the object form does not.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: retries ? { enabled: true, retryAfterBaseValue: 1 } : { enabled: false },
      throttle: { ...(options.throttle as object), enabled: false },
    })),
  });
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8"));
}

/**
 * A `pull_request` event from its fixture (`opened`, `synchronize`, ...) for pull request
 * `number` of Acme-Corp/widgets, with `over` laid on its pull_request.
 */
export function pullRequestEvent(
  action: string,
  number = 12,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  const payload = fixture(`pull_request.${action}`) as Record<string, unknown> & {
    pull_request: Record<string, unknown>;
  };
  return {
    ...payload,
    number,
    pull_request: {
      ...payload.pull_request,
      number,
      html_url: `https://github.com/Acme-Corp/widgets/pull/${number}`,
      ...over,
    },
  };
}

/** The request GitHub would send for this event, signed as GitHub signs it. */
export function signedDelivery(event: string, payload: unknown, secret = WEBHOOK_SECRET) {
  const body = JSON.stringify(payload);
  return {
    method: "POST" as const,
    url: "/api/github/webhooks",
    payload: body,
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
  };
}
