import { trusted, Types } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type {
  AddLearningResult,
  LearningQuery,
  LearningStore,
} from "../../learnings/learning-store.js";
import type { Learning, NewLearning } from "../../learnings/types.js";
import type { LearningDoc, LearningModel } from "./models/learning.js";

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * The learnings in MongoDB; the unique index on (accountId, sourceKey) (models/learning.ts)
 * makes a second record of one teaching comment a no-op. The per-account cap is a count before
 * the insert: two comments at the same moment may pass it together, so an account can hold a
 * few more than `max`, never many (each needs a comment and a command's rate limit). Operator
 * objects in filters are wrapped in mongoose.trusted(): the connection runs with sanitizeFilter.
 */
export class MongoLearningStore implements LearningStore {
  constructor(private readonly learnings: LearningModel) {}

  async add(input: NewLearning, max: number): Promise<AddLearningResult> {
    const existing = await this.findBySource(input);
    if (existing) return { status: "duplicate", learning: toLearning(existing) };
    if ((await this.learnings.countDocuments({ accountId: input.accountId })) >= max) {
      return { status: "full" };
    }
    try {
      const created = await this.learnings.insertOne({ ...input });
      return { status: "added", learning: toLearning(created.toObject()) };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const winner = await this.findBySource(input);
      if (!winner) throw err;
      return { status: "duplicate", learning: toLearning(winner) };
    }
  }

  async list(accountId: AccountId, q: LearningQuery): Promise<Learning[]> {
    if (q.limit <= 0) return [];
    const and: Record<string, unknown>[] = [{ accountId }];
    if (q.appliesTo !== undefined) {
      and.push({ $or: [{ scope: "organization" }, { repositoryId: q.appliesTo }] });
    }
    if (q.search) {
      const pattern = trusted({ $regex: escapeRegex(q.search), $options: "i" });
      and.push({
        $or: [{ text: pattern }, { rule: pattern }, { paths: pattern }, { repository: pattern }],
      });
    }
    if (q.before) {
      // The cursor's id is 24 hex digits (checked where the cursor is read), an ObjectId.
      const id = new Types.ObjectId(q.before.id);
      and.push({
        $or: [
          { createdAt: trusted({ $lt: q.before.createdAt }) },
          { createdAt: q.before.createdAt, _id: trusted({ $lt: id }) },
        ],
      });
    }
    const filter = and.length === 1 ? and[0]! : { $and: and };
    const docs = await this.learnings
      .find(filter)
      .sort(NEWEST_FIRST)
      .limit(q.limit)
      .lean<LearningDoc[]>();
    return docs.map(toLearning);
  }

  async remove(accountId: AccountId, id: string): Promise<Learning | null> {
    if (!Types.ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) return null;
    const doc = await this.learnings
      .findOneAndDelete({ _id: new Types.ObjectId(id), accountId })
      .lean<LearningDoc>();
    return doc ? toLearning(doc) : null;
  }

  private findBySource(input: NewLearning) {
    return this.learnings
      .findOne({ accountId: input.accountId, sourceKey: input.sourceKey })
      .lean<LearningDoc>();
  }
}

function toLearning(doc: LearningDoc): Learning {
  return {
    id: doc._id.toHexString(),
    accountId: toAccountId(doc.accountId),
    scope: doc.scope,
    repositoryId: doc.repositoryId,
    repository: doc.repository,
    text: doc.text,
    rule: doc.rule ?? null,
    paths: doc.paths ?? null,
    author: { id: doc.author.id, login: doc.author.login },
    source: { number: doc.source.number, commentId: doc.source.commentId },
    createdAt: doc.createdAt,
    sourceKey: doc.sourceKey,
  };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A duplicate key error (code 11000) on the (accountId, sourceKey) index. */
function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, keyPattern } = err as { code?: unknown; keyPattern?: unknown };
  return (
    code === 11000 &&
    typeof keyPattern === "object" &&
    keyPattern !== null &&
    "sourceKey" in keyPattern
  );
}
