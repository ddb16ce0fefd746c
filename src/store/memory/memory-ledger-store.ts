import { groupUsageRows, type UsageGroup, type UsageWindow } from "../../ledger/usage-groups.js";
import { randomUUID } from "node:crypto";
import type { AccountId } from "../../accounts/types.js";
import { isConstantSize, type EntryUse } from "../../ledger/entry-use.js";
import { copyMonthUse, type UseCounter } from "../../ledger/month-use.js";
import type { EntryType, LedgerEntry } from "../../ledger/types.js";
import {
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

interface AccountLog {
  /** Sorted by seq ascending. */
  entries: LedgerEntry[];
  bySeq: Set<number>;
  byKey: Map<string, LedgerEntry>;
  byId: Map<string, LedgerEntry>;
  byRefundOf: Map<string, LedgerEntry>;
}

/**
 * The ledger in process memory, for tests and for trying the app out. JavaScript runs one
 * callback at a time, so the uniqueness checks and the insert in `append` (no await between
 * them) are as atomic as MongoDB's unique indexes. Everything handed out is a copy, so a
 * caller can never change a stored entry.
 */
export class MemoryLedgerStore implements LedgerStore {
  private readonly logs = new Map<AccountId, AccountLog>();

  async append(input: NewEntry): Promise<AppendResult> {
    const log = this.log(input.accountId);
    if (log.bySeq.has(input.seq)) return { ok: false, conflict: "sequence" };
    if (log.byKey.has(input.idempotencyKey)) return { ok: false, conflict: "idempotency_key" };
    if (input.refundOf !== null && log.byRefundOf.has(input.refundOf)) {
      return { ok: false, conflict: "refund" };
    }
    const entry: LedgerEntry = copyEntry({ ...input, id: randomUUID() });
    log.bySeq.add(entry.seq);
    log.byKey.set(entry.idempotencyKey, entry);
    log.byId.set(entry.id, entry);
    if (entry.refundOf !== null) log.byRefundOf.set(entry.refundOf, entry);
    // Entries nearly always arrive in seq order; keep the array sorted if one does not.
    const last = log.entries.at(-1);
    if (!last || last.seq < entry.seq) log.entries.push(entry);
    else
      log.entries.splice(
        log.entries.findIndex((e) => e.seq > entry.seq),
        0,
        entry,
      );
    return { ok: true, entry: copyEntry(entry) };
  }

  async latest(accountId: AccountId): Promise<LedgerEntry | null> {
    return copy(this.logs.get(accountId)?.entries.at(-1));
  }

  async findByKey(accountId: AccountId, idempotencyKey: string): Promise<LedgerEntry | null> {
    return copy(this.logs.get(accountId)?.byKey.get(idempotencyKey));
  }

  async findById(accountId: AccountId, id: string): Promise<LedgerEntry | null> {
    return copy(this.logs.get(accountId)?.byId.get(id));
  }

  async findRefundOf(accountId: AccountId, chargeId: string): Promise<LedgerEntry | null> {
    return copy(this.logs.get(accountId)?.byRefundOf.get(chargeId));
  }

  /** Whole entries are rows too (EntryRow), as in listRows. */
  rowByKey(accountId: AccountId, idempotencyKey: string): Promise<EntryRow | null> {
    return this.findByKey(accountId, idempotencyKey);
  }

  refundRowOf(accountId: AccountId, chargeId: string): Promise<EntryRow | null> {
    return this.findRefundOf(accountId, chargeId);
  }

  async list(accountId: AccountId, query: EntryQuery): Promise<LedgerEntry[]> {
    const entries = this.logs.get(accountId)?.entries ?? [];
    const out: LedgerEntry[] = [];
    for (let i = entries.length - 1; i >= 0 && out.length < query.limit; i--) {
      const e = entries[i]!;
      if (matches(e, query)) out.push(copyEntry(e));
    }
    return out;
  }

  async *stream(
    accountId: AccountId,
    order: "asc" | "desc",
    filter: EntryFilter = {},
  ): AsyncIterable<LedgerEntry> {
    // Walk by seq rather than by array index so entries appended meanwhile cannot shift us.
    let after = order === "asc" ? 0 : Number.POSITIVE_INFINITY;
    for (;;) {
      const entries = this.logs.get(accountId)?.entries ?? [];
      const next =
        order === "asc"
          ? entries.find((e) => e.seq > after && matches(e, filter))
          : entries.findLast((e) => e.seq < after && matches(e, filter));
      if (!next) return;
      after = next.seq;
      yield copyEntry(next);
    }
  }

  async spentAt(accountId: AccountId, before?: Date): Promise<SpentRecord | null> {
    const entries = this.logs.get(accountId)?.entries ?? [];
    let found: LedgerEntry | undefined;
    if (before === undefined) found = entries.at(-1);
    else {
      // The newest by createdAt, as the mongo store's index gives it (clocks may disagree a
      // little with seq order).
      for (const e of entries) {
        if (e.createdAt < before && (!found || e.createdAt >= found.createdAt)) found = e;
      }
    }
    return found ? { seq: found.seq, spent: found.spent ? { ...found.spent } : null } : null;
  }

  async sumAmounts(
    accountId: AccountId,
    types: readonly EntryType[],
    since: Date,
  ): Promise<number> {
    let sum = 0;
    for (const e of this.logs.get(accountId)?.entries ?? []) {
      if (types.includes(e.type) && e.createdAt >= since) sum += e.amount;
    }
    return sum;
  }

  async pullRequestEntries(
    accountId: AccountId,
    pull: PullRequestKey,
    since: Date,
  ): Promise<LedgerEntry[]> {
    return (this.logs.get(accountId)?.entries ?? [])
      .filter((e) => isAboutPullRequest(e, pull) && e.createdAt >= since)
      .map(copyEntry);
  }

  async lowDebitsSince(
    since: Date,
    maxBalanceAfter: number,
    limit: number,
  ): Promise<LedgerEntry[]> {
    const found: LedgerEntry[] = [];
    for (const log of this.logs.values()) {
      for (const e of log.entries) {
        if (e.amount < 0 && e.balanceAfter <= maxBalanceAfter && e.createdAt >= since) {
          found.push(e);
        }
      }
    }
    return found
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, Math.max(limit, 0))
      .map(copyEntry);
  }

  async latestTouching(
    accountId: AccountId,
    range: SeqRange,
    touch: UseTouch,
  ): Promise<UseRecord | null> {
    const entries = this.logs.get(accountId)?.entries ?? [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.seq > range.to) continue;
      if (e.seq < range.from) break;
      if (isConstantSize(e.monthUse) && touches(e.monthUse, touch)) return useRecord(e);
    }
    return null;
  }

  async latestConstantSize(
    accountId: AccountId,
    period: string,
    to: number,
  ): Promise<UseRecord | null> {
    const entries = this.logs.get(accountId)?.entries ?? [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.seq <= to && isConstantSize(e.monthUse) && e.monthUse.period === period) {
        return useRecord(e);
      }
    }
    return null;
  }

  async repositoriesNamed(accountId: AccountId, range: SeqRange, name: string): Promise<string[]> {
    const keys = new Set<string>();
    for (const e of this.logs.get(accountId)?.entries ?? []) {
      if (e.seq < range.from || e.seq > range.to || !isConstantSize(e.monthUse)) continue;
      for (const c of e.monthUse.repositories) if (c.name === name) keys.add(c.key);
    }
    return [...keys];
  }

  async latestCounters(
    accountId: AccountId,
    range: SeqRange,
    kind: "repositories" | "authors",
  ): Promise<UseCounter[]> {
    const found = new Map<string, UseCounter>();
    const entries = this.logs.get(accountId)?.entries ?? [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.seq > range.to) continue;
      if (e.seq < range.from) break;
      if (!isConstantSize(e.monthUse)) continue;
      for (const c of e.monthUse[kind]) if (!found.has(c.key)) found.set(c.key, { ...c });
    }
    return [...found.values()];
  }

  async useAt(accountId: AccountId, seq: number): Promise<UseRecord | null> {
    const e = this.logs.get(accountId)?.entries.find((x) => x.seq === seq);
    return e ? useRecord(e) : null;
  }

  async *useSince(accountId: AccountId, from: number): AsyncIterable<UseRecord> {
    for await (const e of this.stream(accountId, "asc")) if (e.seq >= from) yield useRecord(e);
  }

  /** Whole entries: rows too (EntryRow), and memory costs nothing to read. */
  listRows(accountId: AccountId, query: EntryQuery): Promise<EntryRow[]> {
    return this.list(accountId, query);
  }

  streamRows(
    accountId: AccountId,
    order: "asc" | "desc",
    filter?: EntryFilter,
  ): AsyncIterable<EntryRow> {
    return this.stream(accountId, order, filter);
  }

  async usageGroups(accountId: AccountId, window: UsageWindow): Promise<UsageGroup[]> {
    const filter = { types: ["usage", "refund"] as const, from: window.from, to: window.to };
    const rows = (this.logs.get(accountId)?.entries ?? []).filter((e) => matches(e, filter));
    return groupUsageRows(rows, window.by, window.runs === true);
  }

  async *accountIds(): AsyncIterable<AccountId> {
    yield* [...this.logs.keys()].sort((a, b) => a - b);
  }

  private log(accountId: AccountId): AccountLog {
    let log = this.logs.get(accountId);
    if (!log) {
      log = {
        entries: [],
        bySeq: new Set(),
        byKey: new Map(),
        byId: new Map(),
        byRefundOf: new Map(),
      };
      this.logs.set(accountId, log);
    }
    return log;
  }
}

const copy = (e: LedgerEntry | undefined): LedgerEntry | null => (e ? copyEntry(e) : null);

/** A deep copy, field by field (structuredClone would make its Dates in another realm under jest). */
function copyEntry(e: LedgerEntry): LedgerEntry {
  return {
    ...e,
    // An entry appended as written before the plan bucket reads as the mongoose store's does.
    deltas: { ...e.deltas, plan: e.deltas.plan ?? 0 },
    bucketsAfter: { ...e.bucketsAfter, plan: e.bucketsAfter.plan ?? 0 },
    planExpiresAt: e.planExpiresAt ? new Date(e.planExpiresAt) : null,
    reference: e.reference ? { ...e.reference } : null,
    lotsAfter:
      e.lotsAfter?.map((l) => ({
        ...l,
        expiresAt: l.expiresAt === null ? null : new Date(l.expiresAt),
      })) ?? null,
    lotDeltas: e.lotDeltas?.map((d) => ({ ...d })) ?? null,
    monthUse: e.monthUse ? copyEntryUse(e.monthUse) : null,
    refundRequest: e.refundRequest ? { ...e.refundRequest } : null,
    spent: e.spent ? { ...e.spent } : e.spent,
    createdAt: new Date(e.createdAt),
  };
}

function copyEntryUse(u: EntryUse): EntryUse {
  return { ...copyMonthUse(u), ...(u.unwarned ? { unwarned: [...u.unwarned] } : {}) };
}

const useRecord = (e: LedgerEntry): UseRecord => ({
  seq: e.seq,
  monthUse: e.monthUse ? copyEntryUse(e.monthUse) : null,
});

/** Whether a constant-size entry carries the counter or warning (LedgerStore.latestTouching). */
function touches(u: EntryUse, touch: UseTouch): boolean {
  if ("repository" in touch) return u.repositories.some((c) => c.key === touch.repository);
  if ("author" in touch) return u.authors.some((c) => c.key === touch.author);
  return u.warned.includes(touch.warning) || (u.unwarned ?? []).includes(touch.warning);
}

/** Whether an entry passes list()'s or stream()'s filters (EntryQuery says what each means). */
function matches(e: LedgerEntry, q: Omit<EntryQuery, "limit">): boolean {
  if (q.beforeSeq !== undefined && e.seq >= q.beforeSeq) return false;
  if (q.types && q.types.length > 0 && !q.types.includes(e.type)) return false;
  if (q.from && e.createdAt < q.from) return false;
  if (q.to && e.createdAt >= q.to) return false;
  return true;
}
