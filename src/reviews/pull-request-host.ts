import type { ChangedFile, InlineComment } from "../engine/engine.js";
import type { ConfigRead } from "../repository-config/repository-config.js";

/**
 * Where pull requests live (GitHub, or GitHub Enterprise): the little the review and reply use
 * cases need from it, so they never hold an API client. src/github/github-host.ts implements
 * it. Its methods throw PermanentError (src/shared/errors.ts) when the host refuses the app or the
 * pull request is gone, which no retry can fix; any other error is worth a retry.
 */
export interface PullRequestHost {
  getPullRequest(pr: HostedPullRequest): Promise<PullRequestSnapshot>;
  listChangedFiles(pr: HostedPullRequest): Promise<ChangedFile[]>;
  /** Whether the pull request has a review whose body holds `marker`. */
  hasReviewWithMarker(pr: HostedPullRequest, marker: string): Promise<boolean>;
  postReview(pr: HostedPullRequest, review: NewReview): Promise<void>;
  /** Posts a comment on the pull request's conversation; returns its id. */
  postComment(pr: HostedPullRequest, body: string): Promise<number>;
  /** Replaces the body of one of the conversation's comments; returns its id. */
  updateComment(pr: HostedPullRequest, commentId: number, body: string): Promise<number>;
  /** The id of the first conversation comment whose body holds `marker`, or null. */
  findCommentWithMarker(pr: HostedPullRequest, marker: string): Promise<number | null>;
  /**
   * The repository's `.github/jasper.yml` chain as the host's config loader reads it from the
   * default branch (the organization's `.github` repository when the repository has none,
   * `_extends`). Never throws for a file it cannot read: `error` says why.
   */
  readConfig(pr: HostedPullRequest): Promise<ConfigRead>;
  /**
   * The repository's `.gitattributes` on its default branch (what linguist reads for
   * `linguist-generated` and `linguist-vendored`): its text, null when there is none. The
   * default branch, not the pull request's head, so a pull request cannot mark its own files
   * as not to be reviewed. Never throws for a file it cannot read: `error` says why.
   */
  readAttributes(pr: HostedPullRequest): Promise<AttributesRead>;
  /**
   * The inline comments Jasper's earlier reviews left that still sit on a line of the current
   * diff (GitHub moves a comment with its line while the line is unchanged, and marks it
   * outdated once the line changes): a re-review does not repeat them.
   */
  listOwnInlineComments(pr: HostedPullRequest): Promise<{ path: string; line: number }[]>;
  /**
   * The files changed between two commits (a re-review reads only those), or null when the
   * host cannot tell (the older commit is gone after a force-push, or too many files).
   */
  changedSince(pr: HostedPullRequest, baseSha: string, headSha: string): Promise<string[] | null>;
  /**
   * The body of an inline review comment if this app wrote it; null for anyone else's, or one
   * that is gone. What `don't flag this` is a reply to.
   */
  ownReviewComment(pr: HostedPullRequest, commentId: number): Promise<string | null>;
  /** Replies in an inline review thread (under its first comment); returns the reply's id. */
  replyInThread(pr: HostedPullRequest, rootCommentId: number, body: string): Promise<number>;
  /**
   * The conversation so far, oldest first, at most `limit` comments (the newest): the pull
   * request's conversation, or the inline thread under `rootCommentId`.
   */
  listConversation(
    pr: HostedPullRequest,
    options: { rootCommentId?: number | undefined; limit: number },
  ): Promise<{ author: string; body: string }[]>;
  /**
   * Shows `check` on the commit as the `Jasper` check run and returns its id: the one with
   * `check.checkRunId` is updated without a lookup; `check.create` creates one without a
   * lookup; otherwise (or when the given one is gone) the commit's existing one is looked up
   * and updated, or one is created.
   */
  upsertCheckRun(pr: HostedPullRequest, check: CheckRunReport): Promise<number>;
}

/** A repository's `.gitattributes`, as read. */
export interface AttributesRead {
  /** Its text (at most ATTRIBUTES_MAX_CHARS of it); null when the repository has none. */
  text: string | null;
  /** Why it could not be read, for the check run; null when it could (or there is none). */
  error: string | null;
}

/** Linguist's own limit is the blob's; a few hundred lines is already a large file. */
export const ATTRIBUTES_MAX_CHARS = 100_000;

/** The `Jasper` check run on a commit, in one of its states. */
export interface CheckRunReport {
  headSha: string;
  /** The review run it reports on (or the skip), for people reading the API. */
  externalId: string;
  status: "queued" | "in_progress" | "completed";
  /** Set when completed. */
  conclusion?: "success" | "neutral" | "failure" | undefined;
  title: string;
  /** Markdown, shown on the check run's page. */
  summary: string;
  /** More markdown under the summary. */
  text?: string | undefined;
  /** The check run's id when known (kept on the run since its creation). */
  checkRunId?: number | null | undefined;
  /**
   * The commit has no check run of this run yet (a run accepted just now): one is created
   * without first looking up the commit's check runs.
   */
  create?: boolean | undefined;
}

/** Which pull request, and the installation whose token may act on it. */
export interface HostedPullRequest {
  installationId: number;
  /** "owner/name". */
  repository: string;
  number: number;
}

export interface PullRequestSnapshot {
  state: "open" | "closed";
  title: string;
  /** The description; empty when there is none. */
  body: string;
  headSha: string;
  /** The pull request's page, for people. */
  url: string;
  /** How many files GitHub counts as changed (it lists at most 3,000 of them). */
  changedFiles?: number | undefined;
  /** Who opened it (GitHub login): whose budget a review is charged to. */
  author?: string | undefined;
}

export interface NewReview {
  /** The commit reviewed: comments are placed on its lines. */
  commitSha: string;
  body: string;
  comments: InlineComment[];
  /**
   * What to post instead, without inline comments, when the host refuses them (on GitHub one
   * comment on a line outside the diff fails the whole review): the body with the comments
   * listed in it, so no finding is lost.
   */
  fallbackBody: string;
}
