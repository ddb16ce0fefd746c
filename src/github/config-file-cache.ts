import type { Probot } from "probot";
import { httpStatusOf } from "../shared/errors.js";

type Octokit = Awaited<ReturnType<Probot["auth"]>>;
type Response = Awaited<ReturnType<Octokit["request"]>>;

/** A file's last answer: its content, or GitHub's 404 (no file: the common case). */
interface Entry {
  until: number;
  etag: string | undefined;
  answer: { response: Response } | { missing: unknown };
}

/**
 * The configuration files (`.github/jasper.yml` in a repository and in its organization's
 * `.github`) as Probot's config loader reads them, kept in this process's memory: per
 * installation and file, at most `maxEntries` (the oldest dropped first). Within `ttlMs` a
 * file is not asked for again, a missing one neither; after it, GitHub is asked with
 * `If-None-Match` and a `304` (which GitHub does not count against the rate limit) keeps the
 * entry for another `ttlMs`. Concurrent reads of one file share one request.
 */
export function createConfigFileCache({
  ttlMs,
  maxEntries = 5_000,
  now = Date.now,
}: {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}) {
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Entry>>();

  async function fetchEntry(
    key: string,
    send: (headers: Record<string, string>) => Promise<Response>,
  ): Promise<Entry> {
    const stale = entries.get(key);
    let entry: Entry;
    try {
      const response = await send(stale?.etag ? { "if-none-match": stale.etag } : {});
      entry = { until: now() + ttlMs, etag: response.headers.etag, answer: { response } };
    } catch (err) {
      const status = httpStatusOf(err);
      if (status === 304 && stale) entry = { ...stale, until: now() + ttlMs };
      else if (status === 404)
        entry = { until: now() + ttlMs, etag: undefined, answer: { missing: err } };
      else throw err;
    }
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return entry;
  }

  return {
    /** Has `octokit` (one installation's client) read the configuration files through the cache. */
    use(octokit: Octokit, installationId: number, path: string): void {
      octokit.hook.wrap("request", async (request, options) => {
        const o = options as typeof options & { owner?: string; repo?: string; path?: string };
        if (
          options.method !== "GET" ||
          options.url !== "/repos/{owner}/{repo}/contents/{path}" ||
          o.path !== path ||
          "ref" in options
        ) {
          return request(options);
        }
        const key = `${installationId}:${o.owner}/${o.repo}:${path}`;
        const cached = entries.get(key);
        let entry: Entry;
        if (cached && cached.until > now()) entry = cached;
        else {
          let pending = inFlight.get(key);
          if (!pending) {
            pending = fetchEntry(key, async (headers) => {
              // In place: before-after-hook hands every inner hook the options it was called
              // with, not what is passed on (see paced-auth.ts).
              options.headers = { ...options.headers, ...headers };
              return request(options);
            }).finally(() => inFlight.delete(key));
            inFlight.set(key, pending);
          }
          entry = await pending;
        }
        if ("missing" in entry.answer) throw entry.answer.missing;
        return entry.answer.response;
      });
    },
  };
}
export type ConfigFileCache = ReturnType<typeof createConfigFileCache>;
