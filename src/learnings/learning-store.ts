/**
 * The learnings' persistence port, implemented in src/store (memory, mongo) and checked by
 * test/contract/learning-store.contract.test.ts against each:
 *
 * - `add` inserts one learning unless the account already has one with its `sourceKey`
 *   (then it returns that one, `duplicate`), or already holds `max` (then `full`, nothing
 *   written). The key is unique per account in the database.
 * - Reads are scoped to one account, newest first: (createdAt, id) descending.
 * - `remove` deletes one of the account's learnings by id and returns it; another account's
 *   id, or an unknown one, is null.
 */
import type { AccountId } from "../accounts/types.js";
import type { Learning, NewLearning } from "./types.js";

export interface LearningQuery {
  /** Only those that apply to this repository: its own and the account's organization-wide ones. */
  appliesTo?: number | undefined;
  /** Only those whose text, rule, paths or repository holds this (any case). */
  search?: string | undefined;
  /** Only learnings after this one in newest-first order (the cursor). */
  before?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

export type AddLearningResult =
  { status: "added" | "duplicate"; learning: Learning } | { status: "full" };

export interface LearningStore {
  add(learning: NewLearning, max: number): Promise<AddLearningResult>;
  list(accountId: AccountId, query: LearningQuery): Promise<Learning[]>;
  remove(accountId: AccountId, id: string): Promise<Learning | null>;
}
