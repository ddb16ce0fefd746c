/**
 * Learnings: what a team told Jasper about its code, from a reply to a Jasper comment
 * (`@jasper don't flag this`) or `/jasper learn <text>`. The AI reviewer's prompt carries the
 * ones that apply; a learning that names a built-in rule and paths silences that rule there.
 * Every learning belongs to one account and is seen and applied only there.
 */
import type { AccountId } from "../accounts/types.js";

/** The longest learning kept, in characters: a sentence or two, not a document. */
export const LEARNING_TEXT_MAX = 500;

/** The most learnings one account keeps; past it `/jasper learn` asks to delete some first. */
export const LEARNINGS_PER_ACCOUNT = 500;

/** Where a learning applies: the repository it was taught in, or every repository of the account. */
export type LearningScope = "repository" | "organization";

export interface Learning {
  id: string;
  accountId: AccountId;
  scope: LearningScope;
  /** The repository it was taught in (GitHub's id and "owner/name"), for either scope. */
  repositoryId: number;
  repository: string;
  /** What the reviewer is told, as the team wrote it (at most LEARNING_TEXT_MAX). */
  text: string;
  /**
   * A built-in rule this learning silences ("debug leftover"), with `paths`; null: the learning
   * is for the AI reviewer only.
   */
  rule: string | null;
  /** The glob (picomatch, from the repository's root) where `rule` is silenced. */
  paths: string | null;
  /** Who taught it (GitHub id and login). */
  author: { id: number; login: string };
  /** The pull request and comment it came from. */
  source: { number: number; commentId: number };
  createdAt: Date;
  /**
   * One learning per teaching comment: a redelivered webhook or a retried job records it
   * once. Unique per account in the store.
   */
  sourceKey: string;
}

export type NewLearning = Omit<Learning, "id">;
