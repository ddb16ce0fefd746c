import { isObjectIdOrHexString, trusted, type QueryFilter } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type { EntryUse } from "../../ledger/entry-use.js";
import type { UseCounter } from "../../ledger/month-use.js";
import type { BucketAmounts, EntryReference, EntryType, LedgerEntry } from "../../ledger/types.js";
import {
  USAGE_GROUP_FIELDS,
  type UsageGroup,
  type UsageGroupKey,
  type UsageWindow,
} from "../../ledger/usage-groups.js";
import {
  type AppendConflict,
  type AppendResult,
  type EntryFilter,
  type EntryQuery,
  type EntryRow,
  type LedgerStore,
  type NewEntry,
  isAboutPullRequest,
  type PullRequestKey,
  type SeqRange,
  type SpentRecord,
  type UseRecord,
  type UseTouch,
} from "../../ledger/ledger-store.js";
import type { LedgerEntryDoc, LedgerEntryModel } from "./models/ledger-entry.js";

/** How many entries stream() reads per query. */
export const STREAM_BATCH = 500;

/** How many counters latestCounters() reads at once. */
const COUNTER_READS = 16;

/**
 * The ledger in MongoDB. Atomicity comes from single-document inserts and the unique indexes
 * in models/ledger-entry.ts; there are no transactions. Reads use the connection's read
 * preference, which mongo-connection.ts pins to the primary: a writer must see the newest
 * entry. The reads a write is decided on (latest, findByKey) are majority reads, see latest().
 *
 * Operator objects in filters are wrapped in mongoose.trusted(): the connection runs with
 * sanitizeFilter, which would otherwise turn `{ $lt: 5 }` into `{ $eq: { $lt: 5 } }`.
 */
export class MongoLedgerStore implements LedgerStore {
  constructor(private readonly entries: LedgerEntryModel) {}

  async append(entry: NewEntry): Promise<AppendResult> {
    try {
      const created = await this.entries.insertOne(entry);
      return { ok: true, entry: toEntry(created.toObject()) };
    } catch (err) {
      const conflict = appendConflict(err);
      if (conflict) return { ok: false, conflict };
      throw err;
    }
  }

  async latest(accountId: AccountId): Promise<LedgerEntry | null> {
    // The newest entry is the balance, and the base of the next entry (seq + 1, buckets).
    // Read at "majority" it is one a failover cannot roll back; at the default ("local") it
    // could be an entry the primary has not replicated yet, and a balance shown, or a charge
    // built, on top of an entry the next primary never had. Writes are acknowledged at
    // majority (mongo-connection.ts), so a writer reading after its own write sees it. A
    // concurrent entry not yet majority-committed is not seen: the append then fails on the
    // (accountId, seq) index and writeEntry reads again, as for any race.
    // Query#readConcern puts { level: "majority" } in the query's options, which mongoose
    // hands to the driver's findOne (mongoose query.js, _findOne and _optionsForExec), and the
    // driver adds to the find command (mongodb operations/command.js, buildCommand).
    const doc = await this.entries
      .findOne({ accountId })
      .sort({ seq: -1 })
      .readConcern("majority")
      .lean<LedgerEntryDoc>();
    return doc ? toEntry(doc) : null;
  }

  async findByKey(accountId: AccountId, idempotencyKey: string): Promise<LedgerEntry | null> {
    // Majority, as latest(): a key found here makes a charge or grant a replay that writes
    // nothing, so the entry it found must be one that cannot be rolled back.
    const doc = await this.entries
      .findOne({ accountId, idempotencyKey })
      .readConcern("majority")
      .lean<LedgerEntryDoc>();
    return doc ? toEntry(doc) : null;
  }

  async rowByKey(accountId: AccountId, idempotencyKey: string): Promise<EntryRow | null> {
    // As findByKey (majority: a key found here is a payment or a take-back that stands),
    // reading the row alone.
    const find = this.entries.findOne({ accountId, idempotencyKey }).readConcern("majority");
    find.projection(ROW_PROJECTION);
    const doc = await find.lean<LedgerEntryDoc>();
    return doc ? toRow(doc) : null;
  }

  async refundRowOf(accountId: AccountId, chargeId: string): Promise<EntryRow | null> {
    // As findRefundOf, its partial index's filter included, reading the row alone.
    const refundOf = trusted({ $eq: chargeId, $type: "string" as const });
    const find = this.entries.findOne({ accountId, refundOf });
    find.projection(ROW_PROJECTION);
    const doc = await find.lean<LedgerEntryDoc>();
    return doc ? toRow(doc) : null;
  }

  async findById(accountId: AccountId, id: string): Promise<LedgerEntry | null> {
    // Ids come from outside (URLs); one that is not an ObjectId cannot exist, and casting it
    // would throw. isObjectIdOrHexString, unlike isValidObjectId, refuses any 12-char string.
    if (!isObjectIdOrHexString(id)) return null;
    const doc = await this.entries.findOne({ _id: id, accountId }).lean<LedgerEntryDoc>();
    return doc ? toEntry(doc) : null;
  }

  async findRefundOf(accountId: AccountId, chargeId: string): Promise<LedgerEntry | null> {
    // The $type repeats the partial index's filter: the planner only uses a partial index
    // when the query implies its filter, and it does not infer $type from an equality.
    const refundOf = trusted({ $eq: chargeId, $type: "string" as const });
    const doc = await this.entries.findOne({ accountId, refundOf }).lean<LedgerEntryDoc>();
    return doc ? toEntry(doc) : null;
  }

  async list(accountId: AccountId, query: EntryQuery): Promise<LedgerEntry[]> {
    return (await this.page(accountId, query, null)).map(toEntry);
  }

  async listRows(accountId: AccountId, query: EntryQuery): Promise<EntryRow[]> {
    return (await this.page(accountId, query, ROW_PROJECTION)).map(toRow);
  }

  async *stream(
    accountId: AccountId,
    order: "asc" | "desc",
    filter: EntryFilter = {},
  ): AsyncIterable<LedgerEntry> {
    for await (const doc of this.batches(accountId, order, filter, null)) yield toEntry(doc);
  }

  async *streamRows(
    accountId: AccountId,
    order: "asc" | "desc",
    filter: EntryFilter = {},
  ): AsyncIterable<EntryRow> {
    for await (const doc of this.batches(accountId, order, filter, ROW_PROJECTION)) {
      yield toRow(doc);
    }
  }

  private async page(
    accountId: AccountId,
    query: EntryQuery,
    projection: typeof ROW_PROJECTION | null,
  ): Promise<LedgerEntryDoc[]> {
    // MongoDB reads limit(0) as "no limit"; the contract means "nothing".
    if (query.limit <= 0) return [];
    const filter = matching(accountId, query);
    if (query.beforeSeq !== undefined) filter.seq = trusted({ $lt: query.beforeSeq });
    const find = this.entries.find(filter).sort({ seq: -1 }).limit(query.limit);
    if (projection) find.projection(projection);
    return find.lean<LedgerEntryDoc[]>();
  }

  private async *batches(
    accountId: AccountId,
    order: "asc" | "desc",
    filter: EntryFilter,
    projection: typeof ROW_PROJECTION | null,
  ): AsyncIterable<LedgerEntryDoc> {
    // Pages by seq instead of holding one cursor over the whole history: the server kills a
    // cursor left idle for 10 minutes, and a slow CSV download or a long ledger check would
    // then end early, looking complete. Each query here starts after the last seq handed out
    // and reads its whole batch at once (limit and batchSize equal: the driver then asks for
    // one more than the limit, so the first reply carries the batch and the server closes the
    // cursor with it). Between batches nothing is open on the server, and memory holds one
    // batch however long the history is. A batch short of STREAM_BATCH is the last one.
    const asc = order === "asc";
    let last: number | undefined;
    for (;;) {
      const query = matching(accountId, filter);
      if (last !== undefined) query.seq = trusted(asc ? { $gt: last } : { $lt: last });
      const find = this.entries
        .find(query)
        .sort({ seq: asc ? 1 : -1 })
        .limit(STREAM_BATCH)
        .batchSize(STREAM_BATCH);
      if (projection) find.projection(projection);
      const docs = await find.lean<LedgerEntryDoc[]>();
      yield* docs;
      const tail = docs.at(-1);
      if (!tail || docs.length < STREAM_BATCH) return;
      last = tail.seq;
    }
  }

  async spentAt(accountId: AccountId, before?: Date): Promise<SpentRecord | null> {
    // One small document: the newest by seq (the unique index), or the newest created before
    // `before` (the (accountId, createdAt) index). A figure people read, not one a write is
    // decided on: the connection's default read concern.
    const find =
      before === undefined
        ? this.entries.findOne({ accountId }).sort({ seq: -1 })
        : this.entries
            .findOne({ accountId, createdAt: trusted({ $lt: before }) })
            .sort({ createdAt: -1 });
    const doc = await find
      .select({ _id: 0, seq: 1, spent: 1 })
      .lean<Pick<LedgerEntryDoc, "seq" | "spent">>();
    if (!doc) return null;
    const spent = doc.spent ? { total: doc.spent.total, from: doc.spent.from } : null;
    return { seq: doc.seq, spent };
  }

  async sumAmounts(
    accountId: AccountId,
    types: readonly EntryType[],
    since: Date,
  ): Promise<number> {
    // Aggregations are neither cast nor sanitized by mongoose: every value here is already
    // of the stored type, and none is an object a caller could fill with operators.
    const [result] = await this.entries.aggregate<{ total: number }>([
      { $match: { accountId, type: { $in: [...types] }, createdAt: { $gte: since } } },
      { $group: { _id: null, total: { $sum: "$amount" } } },
    ]);
    return result?.total ?? 0;
  }

  async pullRequestEntries(
    accountId: AccountId,
    pull: PullRequestKey,
    since: Date,
  ): Promise<LedgerEntry[]> {
    // The "pull_request_entries" index: its partial filter is repeated here, as the planner
    // only uses a partial index for a query that implies the filter. It is found by number,
    // and the repository (its id, or its name without case: GitHub's names are
    // case-insensitive) compared here: a number is shared by at most one pull request per
    // repository, so few are read.
    const docs = (
      await this.entries
        .find({
          accountId,
          "reference.kind": "pull_request",
          "reference.number": pull.number,
          createdAt: trusted({ $gte: since }),
        })
        .sort({ seq: 1 })
        .readConcern("majority")
        .lean<LedgerEntryDoc[]>()
    ).filter((d) => isAboutPullRequest(d, pull));
    return docs.map(toEntry);
  }

  async lowDebitsSince(
    since: Date,
    maxBalanceAfter: number,
    limit: number,
  ): Promise<LedgerEntry[]> {
    if (limit <= 0) return [];
    // Across accounts (an operator job, like accountIds()); each entry carries its account.
    const docs = await this.entries
      .find({
        createdAt: trusted({ $gte: since }),
        amount: trusted({ $lt: 0 }),
        balanceAfter: trusted({ $lte: maxBalanceAfter }),
      })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<LedgerEntryDoc[]>();
    return docs.map(toEntry);
  }

  async latestTouching(
    accountId: AccountId,
    range: SeqRange,
    touch: UseTouch,
  ): Promise<UseRecord | null> {
    // Majority, as latest(): the next charge's budgets are decided on what this finds. Each
    // query names the partial index's filter (the planner only takes a partial index for a
    // query that implies it) and reads only seq and the month use: one small document.
    const newest = (field: string, value: string, partial: "monthUse.from" | "monthUse.unwarned") =>
      this.entries
        .findOne({
          accountId,
          seq: trusted({ $gte: range.from, $lte: range.to }),
          ...(field === partial
            ? { [field]: trusted({ $eq: value, $exists: true }) }
            : { [field]: value, [partial]: trusted({ $exists: true }) }),
        })
        .sort({ seq: -1 })
        .select({ _id: 0, seq: 1, monthUse: 1 })
        .readConcern("majority")
        .lean<Pick<LedgerEntryDoc, "seq" | "monthUse">>();
    const from = "monthUse.from";
    let found: Pick<LedgerEntryDoc, "seq" | "monthUse"> | null;
    if ("repository" in touch) {
      found = await newest("monthUse.repositories.key", touch.repository, from);
    } else if ("author" in touch) {
      found = await newest("monthUse.authors.key", touch.author, from);
    } else {
      // Warned or taken back, whichever is newer: two indexes, so two queries.
      const [warned, unwarned] = await Promise.all([
        newest("monthUse.warned", touch.warning, from),
        newest("monthUse.unwarned", touch.warning, "monthUse.unwarned"),
      ]);
      found = (unwarned?.seq ?? 0) > (warned?.seq ?? 0) ? unwarned : warned;
    }
    return found ? toUseRecord(found) : null;
  }

  async latestConstantSize(
    accountId: AccountId,
    period: string,
    to: number,
  ): Promise<UseRecord | null> {
    // Majority, as latestTouching; the filter names the "use_periods" partial index's.
    const found = await this.entries
      .findOne({
        accountId,
        "monthUse.period": period,
        seq: trusted({ $lte: to }),
        "monthUse.from": trusted({ $exists: true }),
      })
      .sort({ seq: -1 })
      .select({ _id: 0, seq: 1, monthUse: 1 })
      .readConcern("majority")
      .lean<Pick<LedgerEntryDoc, "seq" | "monthUse">>();
    return found ? toUseRecord(found) : null;
  }

  async repositoriesNamed(accountId: AccountId, range: SeqRange, name: string): Promise<string[]> {
    // Only for a charge counted by name (from before ids were kept), in the month an upgrade
    // lands in: no index of its own, the month's range of (accountId, seq) is walked.
    const keys = await this.entries
      .distinct("monthUse.repositories.key", {
        accountId,
        "monthUse.repositories.name": name,
        seq: trusted({ $gte: range.from, $lte: range.to }),
        "monthUse.from": trusted({ $exists: true }),
      })
      .readConcern("majority");
    return keys.map(String);
  }

  async latestCounters(
    accountId: AccountId,
    range: SeqRange,
    kind: "repositories" | "authors",
  ): Promise<UseCounter[]> {
    // The keys first, off the use_repositories or use_authors index (its partial filter named,
    // as in latestTouching); then, for each, the newest entry carrying it, projected to that
    // one counter ($elemMatch): one index seek and one small document per key, never the
    // month's entries. A few at a time, so a large month does not take the whole pool.
    const field = `monthUse.${kind}`;
    const inRange = {
      accountId,
      seq: trusted({ $gte: range.from, $lte: range.to }),
      "monthUse.from": trusted({ $exists: true }),
    };
    const keys = (await this.entries.distinct(`${field}.key`, inRange)).map(String);
    const newest = async (key: string): Promise<UseCounter | null> => {
      const doc = await this.entries
        .findOne({ ...inRange, [`${field}.key`]: key })
        .sort({ seq: -1 })
        .select({ _id: 0, seq: 1, [field]: { $elemMatch: { key } } })
        .lean<Pick<LedgerEntryDoc, "seq" | "monthUse">>();
      const c = doc?.monthUse?.[kind]?.[0];
      return c ? counter(c) : null;
    };
    const out: UseCounter[] = [];
    for (let i = 0; i < keys.length; i += COUNTER_READS) {
      const batch = await Promise.all(keys.slice(i, i + COUNTER_READS).map(newest));
      for (const c of batch) if (c) out.push(c);
    }
    return out;
  }

  async useAt(accountId: AccountId, seq: number): Promise<UseRecord | null> {
    const doc = await this.entries
      .findOne({ accountId, seq })
      .select({ _id: 0, seq: 1, monthUse: 1 })
      .readConcern("majority")
      .lean<Pick<LedgerEntryDoc, "seq" | "monthUse">>();
    return doc ? toUseRecord(doc) : null;
  }

  async *useSince(accountId: AccountId, from: number): AsyncIterable<UseRecord> {
    // Paged by seq as stream() is, reading only seq and the month use.
    let after = from - 1;
    for (;;) {
      const docs = await this.entries
        .find({ accountId, seq: trusted({ $gt: after }) })
        .sort({ seq: 1 })
        .select({ _id: 0, seq: 1, monthUse: 1 })
        .limit(STREAM_BATCH)
        .batchSize(STREAM_BATCH)
        .lean<Pick<LedgerEntryDoc, "seq" | "monthUse">[]>();
      for (const doc of docs) yield toUseRecord(doc);
      const tail = docs.at(-1);
      if (!tail || docs.length < STREAM_BATCH) return;
      after = tail.seq;
    }
  }

  async usageGroups(accountId: AccountId, window: UsageWindow): Promise<UsageGroup[]> {
    // One aggregation: the window's usage and refunds (the (accountId, type, createdAt)
    // index) grouped by their reference fields as stored, answered as one small document per
    // group. The server still reads the window's entries (constant-size, usage-groups.ts);
    // what comes back, and what the process holds, follows the groups. Not cast or sanitized
    // by mongoose (aggregations are not): every value is of the stored type already.
    const createdAt: { $gte: Date; $lt?: Date } = { $gte: window.from };
    if (window.to) createdAt.$lt = window.to;
    const is = (type: string, then: unknown, otherwise: unknown) => ({
      $cond: [{ $eq: ["$type", type] }, then, otherwise],
    });
    const tally = (type: string) => ({
      [`${type}Count`]: { $sum: is(type, 1, 0) },
      [`${type}Amount`]: { $sum: is(type, "$amount", 0) },
      [`${type}LastSeq`]: { $max: is(type, "$seq", 0) },
    });
    // The runs (pullRunsFrom): the group's charge ids, less those a refund of the group
    // names. $$REMOVE leaves an entry of the other type out of each set.
    const runs = window.runs
      ? {
          charges: { $addToSet: is("usage", { $toString: "$_id" }, "$$REMOVE") },
          refunded: { $addToSet: is("refund", "$refundOf", "$$REMOVE") },
        }
      : {};
    const docs = await this.entries.aggregate<UsageGroupDoc>([
      { $match: { accountId, type: { $in: ["usage", "refund"] }, createdAt } },
      {
        $group: {
          _id: Object.fromEntries(
            ["kind", ...USAGE_GROUP_FIELDS[window.by]].map((f) => [f, `$reference.${f}`]),
          ),
          firstSeq: { $min: "$seq" },
          ...tally("usage"),
          ...tally("refund"),
          ...runs,
        },
      },
      ...(window.runs
        ? [
            {
              $set: {
                runs: {
                  $subtract: [
                    { $size: "$charges" },
                    { $size: { $setIntersection: ["$charges", "$refunded"] } },
                  ],
                },
              },
            },
            { $unset: ["charges", "refunded"] },
          ]
        : []),
    ]);
    return docs.map(toUsageGroup);
  }

  async *accountIds(): AsyncIterable<AccountId> {
    // One small query per account, each the first key of the (accountId, seq) index past the
    // last account: the planner reads it off the index (projection of accountId alone, no
    // document fetched), so the walk costs one index seek per account. Not a $group, which
    // reads every entry and blocks before its first answer, and no cursor held open while
    // the caller works (ledger:verify's long walk outlived the server's 10-minute cursor
    // timeout). Still every account with an entry, whether or not it has an account document.
    let after: number | undefined;
    for (;;) {
      const doc = await this.entries
        .findOne(after === undefined ? {} : { accountId: trusted({ $gt: after }) })
        .sort({ accountId: 1, seq: -1 })
        .select({ _id: 0, accountId: 1 })
        .lean<Pick<LedgerEntryDoc, "accountId">>();
      if (!doc) return;
      after = doc.accountId;
      yield toAccountId(after);
    }
  }
}

/**
 * What a row reads (EntryRow): every field but the month use and the lot changes, and of the
 * lots after the entry only the one it granted, picked by the server ($filter in a find
 * projection, MongoDB 4.4+): null when the entry has no lots (from before lots), as whole.
 */
export const ROW_PROJECTION = {
  accountId: 1,
  seq: 1,
  type: 1,
  amount: 1,
  deltas: 1,
  bucketsAfter: 1,
  balanceAfter: 1,
  freePeriod: 1,
  description: 1,
  reference: 1,
  idempotencyKey: 1,
  refundOf: 1,
  uncollected: 1,
  refundRequest: 1,
  planExpiresAt: 1,
  spent: 1,
  createdAt: 1,
  lotsAfter: { $filter: { input: "$lotsAfter", cond: { $eq: ["$$this.lot", "$seq"] } } },
} as const;

/** What usageGroups' aggregation answers with, one document per group. */
interface UsageGroupDoc {
  _id: {
    kind?: EntryReference["kind"] | null;
    repository?: string | null;
    repositoryId?: number | null;
    author?: string | null;
    number?: number | null;
  };
  firstSeq: number;
  usageCount: number;
  usageAmount: number;
  usageLastSeq: number;
  refundCount: number;
  refundAmount: number;
  refundLastSeq: number;
  runs?: number;
}

/** A group as usage-groups.ts has it: absent and null fields alike left out. */
function toUsageGroup(d: UsageGroupDoc): UsageGroup {
  const k = d._id;
  const reference: UsageGroupKey | null =
    k.kind == null
      ? null
      : k.kind !== "pull_request"
        ? { kind: k.kind }
        : {
            kind: k.kind,
            ...(k.repository != null ? { repository: k.repository } : {}),
            ...(k.repositoryId != null ? { repositoryId: k.repositoryId } : {}),
            ...(k.author != null ? { author: k.author } : {}),
            ...(k.number != null ? { number: k.number } : {}),
          };
  return {
    reference,
    firstSeq: d.firstSeq,
    usage: { count: d.usageCount, amount: d.usageAmount, lastSeq: d.usageLastSeq },
    refund: { count: d.refundCount, amount: d.refundAmount, lastSeq: d.refundLastSeq },
    runs: d.runs ?? 0,
  };
}

/** The entries of one account that pass `filter`, as a query (see EntryQuery for the rules). */
function matching(accountId: AccountId, filter: EntryFilter): QueryFilter<LedgerEntryDoc> {
  const query: QueryFilter<LedgerEntryDoc> = { accountId };
  if (filter.types && filter.types.length > 0) query.type = trusted({ $in: [...filter.types] });
  if (filter.from || filter.to) {
    const createdAt: { $gte?: Date; $lt?: Date } = {};
    if (filter.from) createdAt.$gte = filter.from;
    if (filter.to) createdAt.$lt = filter.to;
    query.createdAt = trusted(createdAt);
  }
  return query;
}

/** Maps a duplicate key error to the rule it broke; null for any other error. */
function appendConflict(err: unknown): AppendConflict | null {
  // The driver copies the server's write error onto the error it throws: `code` 11000 and
  // `keyPattern`, the violated index's key (MongoDB 4.2+; the driver needs 4.4+ anyway).
  if (typeof err !== "object" || err === null) return null;
  const { code, keyPattern } = err as { code?: unknown; keyPattern?: unknown };
  if (code !== 11000 || typeof keyPattern !== "object" || keyPattern === null) return null;
  if ("seq" in keyPattern) return "sequence";
  if ("idempotencyKey" in keyPattern) return "idempotency_key";
  if ("refundOf" in keyPattern) return "refund";
  return null;
}

/** A stored document as a domain entry: plain data, nothing mongoose-specific left. */
function toEntry(doc: LedgerEntryDoc): LedgerEntry {
  return {
    ...toRow(doc),
    lotDeltas: doc.lotDeltas?.map((d) => ({ lot: d.lot, amount: d.amount })) ?? null,
    // Absent on entries written before month use: null, which month-use.ts counts again.
    monthUse: doc.monthUse ? monthUse(doc.monthUse) : null,
  };
}

/** A stored document, whole or read with ROW_PROJECTION, as a row. */
function toRow(doc: LedgerEntryDoc): EntryRow {
  return {
    id: String(doc._id),
    accountId: toAccountId(doc.accountId),
    seq: doc.seq,
    type: doc.type,
    amount: doc.amount,
    deltas: buckets(doc.deltas),
    bucketsAfter: buckets(doc.bucketsAfter),
    balanceAfter: doc.balanceAfter,
    freePeriod: doc.freePeriod,
    description: doc.description,
    reference: doc.reference ?? null,
    idempotencyKey: doc.idempotencyKey,
    refundOf: doc.refundOf ?? null,
    uncollected: doc.uncollected ?? 0,
    // Absent on entries written before lots: null, which lots.ts reads as one lot 0.
    lotsAfter:
      doc.lotsAfter?.map((l) => ({
        lot: l.lot,
        expiresAt: l.expiresAt ?? null,
        remaining: l.remaining,
      })) ?? null,
    planExpiresAt: doc.planExpiresAt ?? null,
    refundRequest: doc.refundRequest
      ? {
          userId: doc.refundRequest.userId,
          login: doc.refundRequest.login,
          reason: doc.refundRequest.reason,
        }
      : null,
    // Absent on entries written before it (spent.ts counts from the first entry after them).
    ...(doc.spent ? { spent: { total: doc.spent.total, from: doc.spent.from } } : {}),
    createdAt: doc.createdAt,
  };
}

const toUseRecord = (doc: Pick<LedgerEntryDoc, "seq" | "monthUse">): UseRecord => ({
  seq: doc.seq,
  monthUse: doc.monthUse ? monthUse(doc.monthUse) : null,
});

/** Field by field, so nothing mongoose added (or a stray stored field) reaches the domain. */
const counter = (c: UseCounter): UseCounter => ({
  key: c.key,
  ...(c.name != null ? { name: c.name } : {}),
  credits: c.credits,
  runs: c.runs,
});

function monthUse(u: EntryUse): EntryUse {
  const counters = (cs: UseCounter[]): UseCounter[] => cs.map(counter);
  return {
    period: u.period,
    charged: u.charged,
    requestedRefunds: u.requestedRefunds,
    account: u.account,
    repositories: counters(u.repositories),
    authors: counters(u.authors),
    warned: [...(u.warned ?? [])],
    ...(typeof u.from === "number" ? { from: u.from, fromSnapshot: u.fromSnapshot === true } : {}),
    ...(u.unwarned ? { unwarned: [...u.unwarned] } : {}),
  };
}

/** An entry written before the plan bucket has no `plan`: 0. */
const buckets = (b: BucketAmounts): BucketAmounts => ({
  free: b.free,
  plan: b.plan ?? 0,
  bonus: b.bonus,
  purchased: b.purchased,
});
