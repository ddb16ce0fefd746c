import { trusted } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type {
  PullRequestFlags,
  PullRequestRef,
  PullRequestStore,
  UnpostedNotice,
} from "../../reviews/types.js";
import type { PullRequestDoc, PullRequestModel } from "./models/pull-request.js";

/**
 * Pull request flags in MongoDB: one document per (accountId, repositoryId, number), created
 * by the first write that needs it (upsert) and read as all-defaults while there is none.
 * Operator objects in filters are wrapped in mongoose.trusted(): the connection runs with
 * sanitizeFilter (see mongo-connection.ts).
 */
export class MongoPullRequestStore implements PullRequestStore {
  constructor(private readonly prs: PullRequestModel) {}

  async get(accountId: AccountId, repositoryId: number, number: number): Promise<PullRequestFlags> {
    const doc = await this.prs
      .findOne({ accountId, repositoryId, number })
      .select({ autoReviewPaused: 1, pausedNoticeCommentId: 1 })
      .lean<Pick<PullRequestDoc, "autoReviewPaused" | "pausedNoticeCommentId">>();
    return {
      autoReviewPaused: doc?.autoReviewPaused ?? false,
      pausedNoticeCommentId: doc?.pausedNoticeCommentId ?? null,
    };
  }

  async nextRunSequence(accountId: AccountId, pr: PullRequestRef): Promise<number> {
    // One findOneAndUpdate with $inc: atomic on the document, so no two callers get the same
    // number. An upsert that loses the insert race to another fails on the unique index; the
    // document exists then, and the retry is a plain increment.
    const bump = () =>
      this.prs
        .findOneAndUpdate(
          { accountId, repositoryId: pr.repositoryId, number: pr.number },
          { $inc: { runCounter: 1 }, $set: { repository: pr.repository } },
          { upsert: true, returnDocument: "after", runValidators: true },
        )
        .lean<Pick<PullRequestDoc, "runCounter">>();
    let doc: Pick<PullRequestDoc, "runCounter"> | null;
    try {
      doc = await bump();
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      doc = await bump();
    }
    if (!doc) throw new Error("upsert returned no document");
    return doc.runCounter;
  }

  async setAutoReviewPaused(accountId: AccountId, pr: PullRequestRef, paused: boolean) {
    await this.set(accountId, pr, { autoReviewPaused: paused });
  }

  async claimPausedNotice(
    accountId: AccountId,
    pr: PullRequestRef,
    installationId?: number,
  ): Promise<boolean> {
    // Exactly once. noticeClaimed only ever goes from absent/false to true, and only through
    // claimOnce(), whose conditional upsert can say yes in two ways:
    // - a document exists with noticeClaimed not true: the update matches and sets it. A
    //   single-document update re-checks its filter on the document it writes, so of several
    //   concurrent callers exactly one modifies it; for the others it then matches nothing.
    // - no document exists: the upsert inserts one with noticeClaimed true. The unique index
    //   lets one insert of a pull request in, ever; every other fails with E11000.
    // Both cannot happen for one pull request: after an insert the flag is already true, and
    // an insert is impossible once any document exists. So at most one caller gets true.
    //
    // E11000 alone does not yet mean "someone claimed": the document that was in the way may
    // have been made by setAutoReviewPaused(), with noticeClaimed false. The server does not
    // retry this upsert itself (the filter has a field outside the index, noticeClaimed), so
    // we retry once. Documents are never deleted, so the retry cannot insert: it either claims
    // the existing document or fails with E11000 because the flag is true, i.e. taken.
    try {
      return await this.claimOnce(accountId, pr, installationId);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    try {
      return await this.claimOnce(accountId, pr, installationId);
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  private async claimOnce(
    accountId: AccountId,
    pr: PullRequestRef,
    installationId: number | undefined,
  ): Promise<boolean> {
    const result = await this.prs.updateOne(
      {
        accountId,
        repositoryId: pr.repositoryId,
        number: pr.number,
        noticeClaimed: trusted({ $ne: true }),
      },
      {
        $set: {
          noticeClaimed: true,
          noticeClaimedAt: new Date(),
          installationId: installationId ?? null,
          repository: pr.repository,
        },
      },
      { upsert: true, runValidators: true },
    );
    // modifiedCount: an existing document went false -> true; upsertedCount: it was created
    // claimed. Neither: cannot happen with upsert (no match means insert or E11000).
    return result.modifiedCount + result.upsertedCount === 1;
  }

  async listUnpostedNotices(
    claimedBefore: Date,
    claimedAfter: Date,
    limit: number,
  ): Promise<UnpostedNotice[]> {
    if (limit <= 0) return [];
    // Across accounts: an operator job, like the sweeper's; each result carries its account.
    // `pausedNoticeCommentId: null` also matches documents without the field (MongoDB's null
    // equality), which is what documents from before it existed look like.
    const docs = await this.prs
      .find({
        noticeClaimed: true,
        pausedNoticeCommentId: null,
        installationId: trusted({ $ne: null }),
        noticeClaimedAt: trusted({ $lt: claimedBefore, $gte: claimedAfter }),
      })
      .sort({ noticeClaimedAt: 1 })
      .limit(limit)
      .lean<PullRequestDoc[]>();
    return docs.map((d) => ({
      accountId: toAccountId(d.accountId),
      pr: { repositoryId: d.repositoryId, repository: d.repository, number: d.number },
      installationId: d.installationId!,
    }));
  }

  async setPausedNoticeComment(accountId: AccountId, pr: PullRequestRef, commentId: number) {
    await this.set(accountId, pr, { pausedNoticeCommentId: commentId });
  }

  /** Sets fields of the pull request's document, creating it (with defaults) if need be. */
  private async set(
    accountId: AccountId,
    pr: PullRequestRef,
    fields: Partial<PullRequestFlags>,
  ): Promise<void> {
    const write = () =>
      this.prs.updateOne(
        { accountId, repositoryId: pr.repositoryId, number: pr.number },
        { $set: { ...fields, repository: pr.repository } },
        { upsert: true, runValidators: true },
      );
    try {
      await write();
    } catch (err) {
      // Two first writes can both find nothing and both insert; the loser fails on the
      // unique index (MongoDB 4.2+ retries this case itself, since the filter is exactly the
      // index's equality fields; older servers do not). The document exists now, so a
      // second try is a plain update.
      if (!isDuplicateKeyError(err)) throw err;
      await write();
    }
  }
}

function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}
