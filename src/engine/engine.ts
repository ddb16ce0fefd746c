/**
 * The review engine's contract. Two engines keep it: an OpenAI-compatible chat model when one
 * is configured, and the built-in rule-based reviewer otherwise, so the app reviews out of the
 * box. Both receive the same prepared diff (prepare-diff.ts): lock files, generated and binary
 * files already left out, within a size budget, and the list of what was left out.
 */
import { JasperError, PermanentError } from "../shared/errors.js";

/** One changed file, as GitHub's "list pull request files" API returns it. */
export interface ChangedFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  additions: number;
  deletions: number;
  /** Unified diff hunks; GitHub omits it for binary files and for very large diffs. */
  patch?: string | undefined;
  previousFilename?: string | undefined;
  /** The new version's blob id (Git's object id); absent when the host does not say. */
  sha?: string | undefined;
}

export interface SkippedFile {
  filename: string;
  reason:
    | "lock_file"
    | "generated"
    /** Other projects' code copied in (vendor/, node_modules/, a bundled jQuery). */
    | "vendored"
    /** Minified: long, dense lines no one reviews line by line. */
    | "minified"
    | "binary"
    | "no_patch"
    | "removed"
    /** Renamed or copied without a change to its content: nothing to review. */
    | "renamed"
    /** A new file with nothing in it. */
    | "empty"
    | "over_budget"
    /** Did not fit the AI model's context window (AI_CONTEXT_TOKENS) with the rest. */
    | "over_context"
    /** Listed in the repository configuration's `exclude_paths`. */
    | "excluded"
    /** A re-review: the file did not change since the last review. */
    | "unchanged";
}

export interface PreparedDiff {
  /** Files the engine reviews, whole patches only (a patch is never cut in the middle). */
  files: ChangedFile[];
  /** Files left out, and why: the posted review must list them. */
  skipped: SkippedFile[];
  /** Lines added and removed over the whole pull request, reviewed or not. */
  totalAdditions: number;
  totalDeletions: number;
}

export interface ReviewRequest {
  repository: string;
  number: number;
  title: string;
  body: string;
  headSha: string;
  /** A re-review after new pushes to an already-reviewed pull request. */
  incremental: boolean;
  diff: PreparedDiff;
  /**
   * The repository configuration's `path_instructions` that match reviewed files: what the
   * team asks the reviewer to look at there. Empty or absent: none.
   */
  instructions?: PathInstruction[] | undefined;
  /** The language the review is written in (the configuration's `language`); default English. */
  language?: string | undefined;
  /**
   * What the team taught the reviewer that applies to this repository (its own learnings and
   * the account's organization-wide ones), newest first. The AI reviewer is told those that
   * fit its share of the prompt; the built-in reviewer silences the rules they name.
   */
  learnings?: ReviewLearning[] | undefined;
}

/** A learning as the engines read it (src/learnings has the whole record). */
export interface ReviewLearning {
  text: string;
  scope: "repository" | "organization";
  /** A built-in rule silenced on `paths` (a glob); null for the AI reviewer only. */
  rule: string | null;
  paths: string | null;
}

/** A team's instruction for the files a glob matches. */
export interface PathInstruction {
  pattern: string;
  text: string;
  /** The reviewed files it matched. */
  files: string[];
}

/**
 * A comment on a line the pull request adds or changes (the diff's right side), or on a range
 * of them: from `startLine` to `line`, both in one hunk (GitHub's multi-line comment).
 */
export interface InlineComment {
  path: string;
  /** The comment's line, the last of a range. */
  line: number;
  /** A range's first line, before `line` in the same hunk; absent for one line. */
  startLine?: number | undefined;
  body: string;
}

/** GitHub accepts many more, but a review drowning in comments gets none of them read. */
export const MAX_INLINE_COMMENTS = 30;

/**
 * What the engine had to say but could not post inline, and why: the review's body counts
 * them, so nothing is dropped without a word.
 */
export interface LeftOutComments {
  /** On a reviewed file, but on no line of its diff (GitHub refuses those). */
  outsideDiff: number;
  /** On a file this review did not read. */
  otherFiles: number;
  /** Without a file, a line or any text. */
  unreadable: number;
  /** Past MAX_INLINE_COMMENTS, in the engine's order: listed in the body by place and title. */
  overLimit: { path: string; line: number; startLine?: number | undefined; title: string }[];
}

export interface ReviewResult {
  /** Markdown for the review body (the engine's own summary; the caller adds the skip list). */
  summary: string;
  comments: InlineComment[];
  /** Comments not posted inline, counted for the body; absent: none. */
  leftOut?: LeftOutComments | undefined;
  /**
   * Files of the request's diff the engine did not read after all (they did not fit the
   * model's context), to be listed as not reviewed; absent: it read them all.
   */
  unread?: SkippedFile[] | undefined;
}

export interface ChatRequest {
  repository: string;
  number: number;
  title: string;
  /** The comment's text with the mention removed. */
  question: string;
  author: string;
  /** The pull request's diff, chosen under the same budget rules as a review's. */
  diff?: PreparedDiff | undefined;
  /** The conversation so far, oldest first (the question's own comment may be the last). */
  conversation?: { author: string; body: string }[] | undefined;
  /** Asked in an inline review thread: the file, line and hunk it sits on. */
  thread?: { path: string; line: number | null; hunk: string } | undefined;
}

export interface ReviewEngine {
  readonly name: string;
  review(request: ReviewRequest, signal?: AbortSignal): Promise<ReviewResult>;
  chat(request: ChatRequest, signal?: AbortSignal): Promise<string>;
  /**
   * `/jasper summary`: one sentence per reviewed file on what its change does, by path.
   * Optional: without it the walkthrough names what each file declares.
   */
  walkthrough?(request: ReviewRequest, signal?: AbortSignal): Promise<Record<string, string>>;
}

/**
 * The AI provider failed, or the model's answer could not be used, in a way a retry may fix
 * (a timeout, a rate limit, a server error, malformed output). Its message names the
 * provider's status or what was wrong, never a key or a prompt, so a failure comment may
 * show it; anything else thrown is described as an internal error.
 */
export class RetryableEngineError extends JasperError {
  constructor(message: string, options?: ErrorOptions) {
    super("engine_failed", message, options);
  }
}

/**
 * A failure no retry can fix (a bad API key, a request the provider refuses): a PermanentError,
 * which the worker does not retry, with a code of its own so the failure comment can say the
 * provider refused.
 */
export class PermanentEngineError extends PermanentError {
  constructor(message: string, code = "engine_refused") {
    super(message, code);
  }
}

/**
 * The provider refused the prompt as longer than the model's context window: the engine asks
 * again with fewer files, and only lets this out when not even one file fits.
 */
export class ContextLengthEngineError extends PermanentEngineError {
  constructor(message: string) {
    super(message, "engine_context_length");
  }
}
