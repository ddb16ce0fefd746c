import { Schema, type Connection, type Model } from "mongoose";
import type { PullRequestFlags } from "../../../reviews/types.js";
import { integer, integerOrNull } from "./integer-validators.js";

/**
 * What Jasper remembers about one pull request, as stored. Only written by upserts keyed on
 * (accountId, repositoryId, number), which is the document's identity: the schema declares no
 * `_id`, the server gives each document one on insert, and nothing reads it.
 */
export interface PullRequestDoc extends PullRequestFlags {
  accountId: number;
  repositoryId: number;
  number: number;
  /** "owner/name" as last told, for operators reading the collection. */
  repository: string;
  /** Whether claimPausedNotice() has said true for this pull request (it never will again). */
  noticeClaimed: boolean;
  /** The last run sequence handed out (nextRunSequence: one $inc each). */
  runCounter: number;
  /** When the notice was claimed, and the installation to post it with (its outbox). */
  noticeClaimedAt: Date | null;
  installationId: number | null;
}

export const pullRequestSchema = new Schema<PullRequestDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    repositoryId: { type: Number, required: true, validate: integer },
    number: { type: Number, required: true, min: 1, validate: integer },
    repository: { type: String, required: true },
    // Defaults reach the database through upserts: mongoose adds them to $setOnInsert.
    autoReviewPaused: { type: Boolean, default: false },
    noticeClaimed: { type: Boolean, default: false },
    runCounter: { type: Number, default: 0, min: 0, validate: integer },
    noticeClaimedAt: { type: Date, default: null },
    installationId: { type: Number, default: null, validate: integerOrNull },
    pausedNoticeCommentId: { type: Number, default: null, validate: integerOrNull },
  },
  { collection: "pull_requests", strict: true, versionKey: false, _id: false },
);

// Every read and write; unique, which is what makes claimPausedNotice() exactly-once.
pullRequestSchema.index({ accountId: 1, repositoryId: 1, number: 1 }, { unique: true });
// listUnpostedNotices(): claimed notices never recorded as posted. Partial: almost every
// pull request has either no notice or a posted one.
pullRequestSchema.index(
  { noticeClaimedAt: 1 },
  {
    partialFilterExpression: { noticeClaimed: true, pausedNoticeCommentId: null },
    name: "unposted_notices",
  },
);

export type PullRequestModel = Model<PullRequestDoc>;

/** Models belong to one connection; storeOn (connect-mongo.ts) builds this one on its own. */
export const pullRequestModel = (conn: Connection): PullRequestModel =>
  conn.model<PullRequestDoc>("PullRequest", pullRequestSchema);
