import type { ChangedFile, InlineComment } from "../engine/engine.js";

/**
 * Where pull requests live (GitHub, or GitHub Enterprise): the little the review and reply use
 * cases need from it, so they never hold an API client. src/github/github-host.ts implements
 * it. Its methods throw PermanentError (src/errors.ts) when the host refuses the app or the
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
