import type { Probot } from "probot";
import { JasperError } from "../shared/errors.js";
import { takeBookedSlot } from "../queue/booked-slot.js";
import type { InstallationPace } from "../queue/installation-pace.js";

type Auth = Pick<Probot, "auth">;

/** GitHub said to wait (a secondary rate limit or an exhausted quota); retry after `untilMs`. */
export class GitHubRateLimitedError extends JasperError {
  constructor(
    readonly installationId: number,
    readonly untilMs: number,
  ) {
    super("github_rate_limited", `GitHub rate-limited installation ${installationId}`);
  }
}

/**
 * Installation clients whose content-creating requests (anything but GET and HEAD, as
 * @octokit/plugin-throttling counts writes) keep to the installation's pace, shared by every
 * process through Redis. A request inside a queue job uses the slot the job booked before it
 * started (register-worker.ts); any other books its own and waits for it here. An answer
 * that GitHub is rate-limiting the installation blocks it for every process until GitHub's
 * `retry-after` (or `x-ratelimit-reset`), and is thrown as GitHubRateLimitedError, which
 * carries no HTTP status: the host does not mistake the 403 for a refusal, the job is retried
 * and waits out the block off its worker slot.
 */
export function pacedAuth(probot: Auth, pace: InstallationPace): Auth {
  return {
    async auth(installationId?: number) {
      const octokit = await probot.auth(installationId);
      if (installationId === undefined) return octokit;
      const id = installationId;
      /**
       * The wait is in the request's fetch, the last step before the wire: after the
       * installation token, which Octokit's auth hook fetches first through a request of its
       * own. Waiting before it, the first requests would wait for their slots, then for the
       * token, and reach GitHub together once it came.
       */
      const pacedFetch =
        (send: typeof fetch = globalThis.fetch) =>
        async (...args: Parameters<typeof fetch>): Promise<Response> => {
          const booked = takeBookedSlot(id, pace.intervalMs / 2);
          const wait = booked ? booked.at - Date.now() : await pace.book(id);
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          return send(...args);
        };
      octokit.hook.wrap("request", async (request, options) => {
        // In place: before-after-hook binds every inner hook to the options it was called
        // with, so options handed on as a new object would not reach the fetch.
        if (createsContent(options.method, options.url)) {
          options.request = { ...options.request, fetch: pacedFetch(options.request?.fetch) };
        }
        try {
          return await request(options);
        } catch (err) {
          const until = rateLimitedUntil(err, Date.now());
          if (until === null) throw err;
          await pace.block(id, until);
          throw new GitHubRateLimitedError(id, until);
        }
      });
      return octokit;
    },
  };
}

/**
 * Content-creating: anything but GET and HEAD, except the app's own token requests (which
 * @octokit/plugin-throttling leaves out too, wrap-request.js isAuthRequest) and check-run
 * writes. A check run is status on a commit, not content anyone is notified of, and it is
 * written once per pull request event, so it keeps to GitHub's own event rate; pacing it
 * made the webhook handler, which writes the "queued" state, wait for the installation's
 * slots behind its reviews (a burst of 100 pull requests held deliveries past GitHub's 10 s,
 * and webhook throughput fell from 0.64 to 0.01 of a no-op handler in `npm run bench`).
 * A `retry-after` from GitHub still blocks the installation for these too (below).
 */
function createsContent(method: string, url: string): boolean {
  if (method === "GET" || method === "HEAD") return false;
  if (/\/check-runs(\/[^/]+)?$/.test(url)) return false;
  return !/(\/access_tokens|\/login\/oauth\/access_token|^\/applications\/.*\/token(\/scoped)?)$/.test(
    url,
  );
}

/** What @octokit/plugin-throttling waits on a secondary limit that names no `retry-after`. */
const FALLBACK_RETRY_AFTER_S = 60;

/**
 * When GitHub allows the installation again, if `err` is its rate-limit answer: 403 or 429
 * with `retry-after` (seconds), or with `x-ratelimit-remaining: 0` (until
 * `x-ratelimit-reset`, epoch seconds), or a "secondary rate limit" message without either
 * (a minute). The rules follow GitHub's docs
 * (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately).
 */
export function rateLimitedUntil(err: unknown, now: number): number | null {
  if (typeof err !== "object" || err === null) return null;
  const { status, message, response } = err as {
    status?: unknown;
    message?: unknown;
    response?: { headers?: Record<string, unknown> };
  };
  if (status !== 403 && status !== 429) return null;
  const headers = response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers["retry-after"] !== undefined) {
    return now + retryAfter * 1000;
  }
  if (String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    // One second past the reset, as GitHub's docs and the throttling plugin do.
    if (Number.isFinite(reset)) return Math.max(now, reset * 1000 + 1000);
  }
  if (status === 429 || (typeof message === "string" && /secondary rate/i.test(message))) {
    return now + FALLBACK_RETRY_AFTER_S * 1000;
  }
  return null;
}
