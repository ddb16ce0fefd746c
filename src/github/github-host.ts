import type { Probot } from "probot";
import type { ChangedFile } from "../engine/engine.js";
import { PermanentError, httpStatusOf } from "../shared/errors.js";
import {
  ATTRIBUTES_MAX_CHARS,
  type AttributesRead,
  type HostedPullRequest,
  type NewReview,
  type PullRequestHost,
  type PullRequestSnapshot,
} from "../reviews/pull-request-host.js";
import { CONFIG_PATH, type ConfigRead } from "../repository-config/repository-config.js";
import { createConfigFileCache } from "./config-file-cache.js";

/** The check run's name on every commit Jasper looks at. */
export const CHECK_RUN_NAME = "Jasper";

type Octokit = Awaited<ReturnType<Probot["auth"]>>;

/**
 * The pull request host over GitHub's REST API, as the app's installation (`probot.auth`):
 * GitHub.com, or GitHub Enterprise when Probot was given its base URL.
 */
export function createGitHubHost(
  probot: Pick<Probot, "auth">,
  /** The app's bot login, `<slug>[bot]`: whose inline comments are Jasper's own. */
  botLogin = "jasper[bot]",
  {
    configCacheMs = 0,
    now = Date.now,
  }: {
    /**
     * How long a configuration file (the repository's, the organization's), once read, is used
     * again without asking GitHub; after it, GitHub is asked whether it changed
     * (config-file-cache.ts). 0: read it every time.
     */
    configCacheMs?: number;
    /** The clock the configuration's cache goes by (tests move it). */
    now?: () => number;
  } = {},
): PullRequestHost {
  const configFiles =
    configCacheMs > 0 ? createConfigFileCache({ ttlMs: configCacheMs, now }) : null;
  /** Runs `call` with the installation's client and the repository split once. */
  async function withRepo<T>(
    pr: HostedPullRequest,
    call: (octokit: Octokit, repo: { owner: string; repo: string }) => Promise<T>,
  ): Promise<T> {
    try {
      // Inside the try: a token refused for a removed installation is permanent as well.
      const octokit = await probot.auth(pr.installationId);
      return await call(octokit, splitRepository(pr.repository));
    } catch (err) {
      throw permanentIfRefused(err);
    }
  }

  /** Check run ids by commit, most recent last: a bounded memo of what this process wrote. */
  const checkRunIds = new Map<string, number>();

  return {
    getPullRequest: (pr) =>
      withRepo(pr, async (octokit, repo) => {
        const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pr.number });
        return {
          state: data.state === "open" ? "open" : "closed",
          title: data.title,
          body: data.body ?? "",
          headSha: data.head.sha,
          url: data.html_url,
          changedFiles: data.changed_files,
          author: data.user?.login,
        } satisfies PullRequestSnapshot;
      }),

    listChangedFiles: (pr) =>
      withRepo(pr, async (octokit, repo) => {
        const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
          ...repo,
          pull_number: pr.number,
          per_page: 100,
        });
        return files.map(toChangedFile);
      }),

    hasReviewWithMarker: (pr, marker) =>
      withRepo(pr, async (octokit, repo) => {
        const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
          ...repo,
          pull_number: pr.number,
          per_page: 100,
        });
        return reviews.some((r) => r.body?.includes(marker));
      }),

    postReview: (pr, review) =>
      withRepo(pr, async (octokit, repo) => {
        await postReview(octokit, { ...repo, pull_number: pr.number }, review);
      }),

    postComment: (pr, body) =>
      withRepo(pr, async (octokit, repo) => {
        const { data } = await octokit.rest.issues.createComment({
          ...repo,
          issue_number: pr.number,
          body,
          request: NO_CLIENT_RETRY,
        });
        return data.id;
      }),

    updateComment: (pr, commentId, body) =>
      withRepo(pr, async (octokit, repo) => {
        const { data } = await octokit.rest.issues.updateComment({
          ...repo,
          comment_id: commentId,
          body,
        });
        return data.id;
      }),

    findCommentWithMarker: (pr, marker) =>
      withRepo(pr, async (octokit, repo) => {
        const comments = await octokit.paginate(octokit.rest.issues.listComments, {
          ...repo,
          issue_number: pr.number,
          per_page: 100,
        });
        return comments.find((c) => c.body?.includes(marker))?.id ?? null;
      }),

    listOwnInlineComments: (pr) =>
      withRepo(pr, async (octokit, repo) => {
        const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, {
          ...repo,
          pull_number: pr.number,
          per_page: 100,
        });
        return comments
          .filter((c) => c.user?.login === botLogin && typeof c.line === "number")
          .map((c) => ({ path: c.path, line: c.line as number }));
      }),

    changedSince: (pr, baseSha, headSha) =>
      withRepo(pr, async (octokit, repo) => {
        try {
          const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
            ...repo,
            basehead: `${baseSha}...${headSha}`,
            per_page: 300,
          });
          const files = data.files ?? [];
          // GitHub's comparison lists at most 300 files: past that it cannot say which.
          if (files.length >= 300) return null;
          return files.flatMap((f) =>
            f.previous_filename ? [f.filename, f.previous_filename] : [f.filename],
          );
        } catch (err) {
          // 404: a commit no longer reachable (force-push); 422: no common history.
          if (httpStatusOf(err) === 404 || httpStatusOf(err) === 422) return null;
          throw err;
        }
      }),

    ownReviewComment: (pr, commentId) =>
      withRepo(pr, async (octokit, repo) => {
        try {
          const { data } = await octokit.rest.pulls.getReviewComment({
            ...repo,
            comment_id: commentId,
          });
          return data.user?.login === botLogin ? data.body : null;
        } catch (err) {
          if (httpStatusOf(err) === 404) return null;
          throw err;
        }
      }),

    replyInThread: (pr, rootCommentId, body) =>
      withRepo(pr, async (octokit, repo) => {
        const { data } = await octokit.rest.pulls.createReplyForReviewComment({
          ...repo,
          pull_number: pr.number,
          comment_id: rootCommentId,
          body,
          request: NO_CLIENT_RETRY,
        });
        return data.id;
      }),

    listConversation: (pr, { rootCommentId, limit }) =>
      withRepo(pr, async (octokit, repo) => {
        const comments =
          rootCommentId === undefined
            ? await octokit.paginate(octokit.rest.issues.listComments, {
                ...repo,
                issue_number: pr.number,
                per_page: 100,
              })
            : (
                await octokit.paginate(octokit.rest.pulls.listReviewComments, {
                  ...repo,
                  pull_number: pr.number,
                  per_page: 100,
                })
              ).filter((c) => c.id === rootCommentId || c.in_reply_to_id === rootCommentId);
        return comments
          .slice(-limit)
          .map((c) => ({ author: c.user?.login ?? "ghost", body: c.body ?? "" }));
      }),

    async readConfig(pr) {
      try {
        return await withRepo(pr, async (octokit, repo) => {
          configFiles?.use(octokit, pr.installationId, CONFIG_PATH);
          // Probot's loader (what context.config uses), for the files one by one: each
          // value's origin is shown by `/jasper config`. No ref: the default branch.
          const { files } = await octokit.config.get({ ...repo, path: CONFIG_PATH });
          return {
            files: files.map((f) => ({
              source: `${f.owner}/${f.repo}:${f.path}`,
              content: f.config,
            })),
            error: null,
          } satisfies ConfigRead;
        });
      } catch (err) {
        return { files: [], error: configError(err) };
      }
    },

    async readAttributes(pr) {
      try {
        return await withRepo(pr, async (octokit, repo): Promise<AttributesRead> => {
          configFiles?.use(octokit, pr.installationId, ATTRIBUTES_PATH);
          try {
            // The form Probot's config loader sends (raw content, no ref: the default branch),
            // which the configuration files' cache recognises: a missing file is kept too.
            const { data } = await octokit.request({
              method: "GET",
              url: "/repos/{owner}/{repo}/contents/{path}",
              ...repo,
              path: ATTRIBUTES_PATH,
              mediaType: { format: "raw" },
            });
            if (typeof data !== "string") {
              return { text: null, error: `${ATTRIBUTES_PATH} is not a file` };
            }
            return { text: data.slice(0, ATTRIBUTES_MAX_CHARS), error: null };
          } catch (err) {
            if (httpStatusOf(err) === 404) return { text: null, error: null };
            throw err;
          }
        });
      } catch (err) {
        const status = httpStatusOf(err);
        const why =
          err instanceof PermanentError
            ? err.message
            : status !== undefined
              ? `GitHub answered ${status}`
              : "GitHub did not answer";
        return { text: null, error: `${ATTRIBUTES_PATH} could not be read: ${why}` };
      }
    },

    upsertCheckRun: (pr, check) =>
      withRepo(pr, async (octokit, repo) => {
        const fields = {
          external_id: check.externalId,
          status: check.status,
          ...(check.status === "completed"
            ? { conclusion: check.conclusion ?? "neutral", completed_at: new Date().toISOString() }
            : {}),
          output: {
            title: check.title.slice(0, 250),
            summary: check.summary.slice(0, 60_000),
            ...(check.text ? { text: check.text.slice(0, 60_000) } : {}),
          },
        };
        const create = async () => {
          const { data } = await octokit.rest.checks.create({
            ...repo,
            name: CHECK_RUN_NAME,
            head_sha: check.headSha,
            ...fields,
          });
          return data.id;
        };
        const key = `${pr.installationId}:${pr.repository}:${check.headSha}`;
        // The run's own check run (its id kept on the run), or the commit's check run this
        // process wrote before: updated without a lookup, unless GitHub no longer has it.
        for (const known of new Set([check.checkRunId ?? undefined, checkRunIds.get(key)])) {
          if (known === undefined) continue;
          try {
            await octokit.rest.checks.update({ ...repo, check_run_id: known, ...fields });
            remember(checkRunIds, key, known);
            return known;
          } catch (err) {
            if (httpStatusOf(err) !== 404) throw err;
            if (checkRunIds.get(key) === known) checkRunIds.delete(key);
          }
        }
        // A run just accepted has no check run yet: created at once, no lookup by commit.
        if (check.create) {
          const id = await create();
          remember(checkRunIds, key, id);
          return id;
        }
        // The fallback: the commit's latest `Jasper` check run, looked up by its ref.
        const { data } = await octokit.rest.checks.listForRef({
          ...repo,
          ref: check.headSha,
          check_name: CHECK_RUN_NAME,
          filter: "latest",
          per_page: 100,
        });
        const existing = data.check_runs
          .filter((c) => c.name === CHECK_RUN_NAME)
          .sort((a, b) => b.id - a.id)[0];
        const id = existing
          ? (await octokit.rest.checks.update({ ...repo, check_run_id: existing.id, ...fields }))
              .data.id
          : await create();
        remember(checkRunIds, key, id);
        return id;
      }),
  };
}

/**
 * Posts the review with its inline comments. GitHub refuses the whole review (422) when one
 * comment's line is not in the diff, which the engine cannot always know (a model may point at
 * a line it was not shown); then the review goes out without them, listed in its body instead.
 */
async function postReview(
  octokit: Octokit,
  target: { owner: string; repo: string; pull_number: number },
  review: NewReview,
): Promise<void> {
  const inline = review.comments.map((c) => ({
    path: c.path,
    // A range: GitHub's multi-line comment, both ends on the new side.
    ...(c.startLine !== undefined && c.startLine < c.line
      ? { start_line: c.startLine, start_side: "RIGHT" as const }
      : {}),
    line: c.line,
    side: "RIGHT" as const,
    body: c.body,
  }));
  const common = { ...target, commit_id: review.commitSha, event: "COMMENT" as const };
  try {
    await octokit.rest.pulls.createReview({
      ...common,
      body: review.body,
      comments: inline,
      request: NO_CLIENT_RETRY,
    });
  } catch (err) {
    if (httpStatusOf(err) !== 422 || inline.length === 0) throw err;
    await octokit.rest.pulls.createReview({
      ...common,
      body: review.fallbackBody,
      request: NO_CLIENT_RETRY,
    });
  }
}

/**
 * For requests that create something (a review, a comment): GitHub can create it and still
 * answer 502, and Octokit's retry plugin would then create it a second time. The queue job's
 * own retry is the safe one: it first checks whether the review is already there (the run's
 * marker). `request.retries` is read per request by @octokit/plugin-retry (error-request.js).
 */
const NO_CLIENT_RETRY = { retries: 0 };

/** Keeps at most 1,000 entries, dropping the oldest. */
function remember(map: Map<string, number>, key: string, value: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > 1_000) map.delete(map.keys().next().value!);
}

const ATTRIBUTES_PATH = ".gitattributes";

/** What the config loader's failure says, for the check run: its own message names the file. */
function configError(err: unknown): string {
  const status = httpStatusOf(err);
  if (status !== undefined) return `${CONFIG_PATH} could not be read: GitHub answered ${status}`;
  if (err instanceof PermanentError) return `${CONFIG_PATH} could not be read: ${err.message}`;
  const message = err instanceof Error ? err.message : String(err);
  const cause =
    err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message.trim()}` : "";
  return `${message.replace(/^\[@probot\/octokit-plugin-config\] /, "")}${cause}`.slice(0, 1_000);
}

function splitRepository(fullName: string): { owner: string; repo: string } {
  const [owner, repo] = fullName.split("/") as [string, string];
  return { owner, repo };
}

function toChangedFile(f: {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string | undefined;
  previous_filename?: string | undefined;
  sha?: string | null | undefined;
}): ChangedFile {
  return {
    filename: f.filename,
    status: f.status as ChangedFile["status"],
    additions: f.additions,
    deletions: f.deletions,
    patch: f.patch,
    previousFilename: f.previous_filename,
    sha: f.sha ?? undefined,
  };
}

/**
 * GitHub refusing the app (401, 403: uninstalled, suspended, permission removed) or not having
 * the pull request any more (404, 410): asking again gives the same answer. Anything else (5xx,
 * rate limits, the network) may pass, so it is left as it is, to be retried.
 */
const REFUSED = new Set([401, 403, 404, 410]);

function permanentIfRefused(err: unknown): unknown {
  const status = httpStatusOf(err);
  return status !== undefined && REFUSED.has(status)
    ? new PermanentError(`GitHub answered ${status}`)
    : err;
}
