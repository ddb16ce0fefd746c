import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { AppCredentials } from "../config/env.js";

/**
 * The Probot instance that verifies webhooks and authenticates as the App. `apiUrl` is the
 * config's GitHub API (GitHub Enterprise Server when GHE_HOST is set).
 */
export function createProbot(credentials: AppCredentials, apiUrl: string, log: Logger): Probot {
  return new Probot({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    secret: credentials.webhookSecret,
    log: probotLog(log),
    baseUrl: apiUrl,
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      // Off: @octokit/plugin-throttling paces writes in each process on its own (no Redis
      // clustering), at one a second and one every 3 s for requests that notify (its
      // "octokit-write" and "octokit-notifications" groups, dist-src/index.js): 20 reviews or
      // comments a minute per installation where GitHub allows 80, waited out inside the job,
      // holding its worker slot. Jasper's own pace replaces it (queue/installation-pace.ts,
      // github/paced-auth.ts): per installation, shared through Redis, `retry-after` honoured
      // for every process, jobs wait off their worker slot. The function form sees the options
      // Probot built, so `enabled: false` reaches installation clients (test/support/github.ts).
      throttle: { ...(options.throttle as object), enabled: false },
    })),
  });
}

/**
 * The logger to give Probot. Probot's error handler logs a failed event's error with the event
 * attached to it, payload and all (people's code, comments, megabytes of it); here an error is
 * logged as its type and message, and an attached event as its name and delivery id only.
 */
export function probotLog(log: Logger): Logger {
  return log.child({}, { serializers: { err: errorWithoutPayload } });
}

interface LoggedError {
  type: string;
  message: string;
  errors?: LoggedError[];
  event?: { name?: unknown; id?: unknown };
}

function errorWithoutPayload(err: unknown): LoggedError {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err).slice(0, 200) };
  const out: LoggedError = { type: err.name, message: err.message };
  if (err instanceof AggregateError) out.errors = err.errors.map(errorWithoutPayload);
  const event = (err as { event?: unknown }).event;
  if (typeof event === "object" && event !== null) {
    const { name, id } = event as { name?: unknown; id?: unknown };
    out.event = { name, id };
  }
  return out;
}
