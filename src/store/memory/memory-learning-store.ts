import type { AccountId } from "../../accounts/types.js";
import type {
  AddLearningResult,
  LearningQuery,
  LearningStore,
} from "../../learnings/learning-store.js";
import type { Learning, NewLearning } from "../../learnings/types.js";

/**
 * The learnings in process memory. Ids are 24 hex digits that grow with every add, like an
 * ObjectId from one process, so (createdAt, id) orders them as the MongoDB store does.
 */
export class MemoryLearningStore implements LearningStore {
  private readonly learnings: Learning[] = [];
  private counter = 0;

  async add(input: NewLearning, max: number): Promise<AddLearningResult> {
    const existing = this.learnings.find(
      (l) => l.accountId === input.accountId && l.sourceKey === input.sourceKey,
    );
    if (existing) return { status: "duplicate", learning: copy(existing) };
    if (this.learnings.filter((l) => l.accountId === input.accountId).length >= max) {
      return { status: "full" };
    }
    this.counter += 1;
    const learning = copy({ ...input, id: this.counter.toString(16).padStart(24, "0") });
    this.learnings.push(learning);
    return { status: "added", learning: copy(learning) };
  }

  async list(accountId: AccountId, q: LearningQuery): Promise<Learning[]> {
    const newestFirst = (a: Learning, b: Learning) =>
      b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);
    const search = q.search?.toLowerCase();
    return this.learnings
      .filter((l) => l.accountId === accountId)
      .filter(
        (l) =>
          q.appliesTo === undefined || l.scope === "organization" || l.repositoryId === q.appliesTo,
      )
      .filter(
        (l) =>
          !search ||
          [l.text, l.rule ?? "", l.paths ?? "", l.repository].some((f) =>
            f.toLowerCase().includes(search),
          ),
      )
      .filter((l) => !q.before || newestFirst(q.before as Learning, l) < 0)
      .sort(newestFirst)
      .slice(0, Math.max(q.limit, 0))
      .map(copy);
  }

  async remove(accountId: AccountId, id: string): Promise<Learning | null> {
    const index = this.learnings.findIndex((l) => l.accountId === accountId && l.id === id);
    if (index < 0) return null;
    const [removed] = this.learnings.splice(index, 1);
    return copy(removed!);
  }
}

function copy(l: Learning): Learning {
  return {
    ...l,
    author: { ...l.author },
    source: { ...l.source },
    createdAt: new Date(l.createdAt),
  };
}
