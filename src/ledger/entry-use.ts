/**
 * Constant-size entries (docs/billing.md, "Month use on constant-size entries"). An entry no
 * longer carries every counter of the month: it carries the month's totals (charged, refunds
 * asked for, the account's use) and only the counters and warnings it changed, each with its
 * value after the entry (zero when it emptied one). So its size and the cost of writing it do
 * not depend on how many repositories and authors the month has charged.
 *
 * A counter's value is read from the newest entry of the month that carries it, found through
 * an index (LedgerStore.latestTouching), between `from` (where this month's counting starts)
 * and the newest entry the writer read. Every lookup is bounded by that newest entry, and the
 * insert at its seq + 1 fails if anything was appended since, so what the lookups saw is still
 * the truth when the insert lands: the budget check stays one step with the debit.
 *
 * Entries written before this form carry the whole month (MonthUse, no `from`). They stay as
 * they are: the first entry after one of them, in the same month, takes it as its snapshot
 * (`from` is its seq, `fromSnapshot`), and a counter no later entry carries is read from it.
 * When the newest entry predates month use altogether, the month is counted from its entries
 * and written whole once, as before; the entries after build on it the same way.
 *
 * A whole-month entry that comes after constant-size entries of its month is no snapshot: a
 * previous release (a mixed-version deploy, a rollback) read the constant-size entry before
 * it as the whole month, so it holds only a few of the month's counters. The next entry then
 * counts the month from its entries and carries all of it, counters and warnings, counting
 * from itself (`from` is its own seq): the entries after build on it as on a month's first.
 */
import type { LedgerStore, SeqRange, UseRecord } from "./ledger-store.js";
import {
  chargePeriod,
  copyMonthUse,
  emptyMonthUse,
  isNameKey,
  useAfter,
  usePeriod,
  type MonthUse,
  type UseCounter,
  type UseKeys,
} from "./month-use.js";
import { periodOf } from "./periods.js";
import type { LedgerEntry } from "./types.js";
import type { AccountId } from "../accounts/types.js";

/** The month use an entry carries: the whole month (older entries), or what it changed. */
export interface EntryUse extends MonthUse {
  /**
   * Constant-size entries only: this month's counters are read from entries with seq >= from
   * (this entry's own seq when it starts the month). `repositories`, `authors` and `warned`
   * then hold only what this entry changed.
   */
  from?: number;
  /** The entry at `from` is a whole-month snapshot from before constant-size entries. */
  fromSnapshot?: boolean;
  /** Constant-size entries: the warnings this entry took back (the fold of a name into its id). */
  unwarned?: string[];
}

/** Where the next entry's month counting starts; null: the next entry carries the whole month. */
export interface UseBasis {
  from: number;
  fromSnapshot: boolean;
}

/** Whether an entry's use is of the constant-size form. */
export const isConstantSize = (u: EntryUse | null | undefined): u is EntryUse & { from: number } =>
  typeof u?.from === "number";

/** The month's use before the next entry, as far as the next entry needs it (loadUse). */
export interface LoadedUse {
  /**
   * Totals, and the counters and warnings of `keys` (all of them when the newest entry holds
   * the whole month): enough for budgetStop, countCharge, takeWarnings and usedBy.
   */
  use: MonthUse;
  basis: UseBasis | null;
}

/**
 * The month's use before the entry at prev.seq + 1, written at `now`, with the counters and
 * warnings of `keys` (a charge's, or the refunded charge's). What the next entry is checked
 * against and built from.
 */
export async function loadUse(
  store: LedgerStore,
  accountId: AccountId,
  prev: LedgerEntry | null,
  now: Date,
  keys: UseKeys | null,
): Promise<LoadedUse> {
  const seq = (prev?.seq ?? 0) + 1;
  if (!prev)
    return { use: emptyMonthUse(periodOf(now)), basis: { from: seq, fromSnapshot: false } };
  const period = usePeriod(now, chargePeriod(prev));
  const carried = prev.monthUse;
  if (!carried) {
    // The newest entry predates month use: count the month, and write it whole this once. Even
    // when the newest entry's clock is in an earlier month: an entry before it, stamped by a
    // host ahead, may be of this one (usePeriod), and ledger:verify's replay counts it here.
    return { use: await countMonthUse(store, accountId, period, prev.seq), basis: null };
  }
  if (carried.period !== period) {
    return { use: emptyMonthUse(period), basis: { from: seq, fromSnapshot: false } };
  }
  if (!isConstantSize(carried)) {
    // Bounded by the newest entry like every lookup here: the insert at seq checks the rest.
    if (await store.latestConstantSize(accountId, period, prev.seq - 1)) {
      return {
        use: await countMonthUse(store, accountId, period, prev.seq),
        basis: { from: seq, fromSnapshot: false },
      };
    }
    return { use: wholeUse(carried), basis: { from: prev.seq, fromSnapshot: true } };
  }
  const basis = { from: carried.from, fromSnapshot: carried.fromSnapshot === true };
  const use = await lookUp(store, accountId, basis, prev.seq, carried, keys);
  return { use, basis };
}

/** A counter as found, and when it last changed (for the old order of counters). */
interface Found {
  counter: UseCounter;
  order: [number, number];
}

/** The counters and warnings of `keys`, each from the newest entry carrying it. */
async function lookUp(
  store: LedgerStore,
  accountId: AccountId,
  basis: UseBasis,
  to: number,
  totals: MonthUse,
  keys: UseKeys | null,
): Promise<MonthUse> {
  const range: SeqRange = { from: basis.from, to };
  let snapshot: Promise<MonthUse | null> | undefined;
  const whole = () =>
    (snapshot ??= basis.fromSnapshot
      ? store.useAt(accountId, basis.from).then((r) => snapshotOf(r))
      : Promise.resolve(null));

  const counter = async (kind: "repositories" | "authors", key: string): Promise<Found | null> => {
    const touch = kind === "repositories" ? { repository: key } : { author: key };
    const found = await store.latestTouching(accountId, range, touch);
    if (found?.monthUse) {
      const c = found.monthUse[kind].find((x) => x.key === key);
      return c && (c.credits !== 0 || c.runs !== 0)
        ? { counter: { ...c }, order: [found.seq, 0] }
        : null;
    }
    const cs = (await whole())?.[kind] ?? [];
    const at = cs.findIndex((x) => x.key === key);
    return at < 0 ? null : { counter: { ...cs[at]! }, order: [basis.from, at] };
  };

  const warned = async (id: string): Promise<boolean> => {
    for (let to = range.to; ;) {
      const found = await store.latestTouching(
        accountId,
        { from: range.from, to },
        { warning: id },
      );
      if (!found?.monthUse) return (await whole())?.warned.includes(id) ?? false;
      if (found.monthUse.warned.includes(id) || canBeTakenBack(id)) {
        return found.monthUse.warned.includes(id);
      }
      // It takes back what no fold takes back (ledger:verify reports it): look before it.
      to = found.seq - 1;
    }
  };

  /** By name (from before ids): the counter of an id now carrying that name, as foldedOf. */
  const folded = async (name: string): Promise<Found | null> => {
    const ids = new Set(await store.repositoriesNamed(accountId, range, name));
    for (const c of (await whole())?.repositories ?? []) if (c.name === name) ids.add(c.key);
    const candidates = await Promise.all(
      [...ids].filter((k) => !isNameKey(k)).map((k) => counter("repositories", k)),
    );
    // Of several, the one changed longest ago: the first in the whole month's order.
    return (
      candidates
        .filter((f): f is Found => f !== null && f.counter.name === name)
        .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1])[0] ?? null
    );
  };

  const use: MonthUse = {
    ...emptyMonthUse(totals.period),
    charged: totals.charged,
    requestedRefunds: totals.requestedRefunds,
    account: totals.account,
  };
  const {
    repository: key,
    repositoryName: name,
    author,
  } = keys ?? {
    repository: null,
    repositoryName: null,
    author: null,
  };
  const repositories: Promise<Found | null>[] = [];
  if (key !== null && !isNameKey(key)) {
    repositories.push(counter("repositories", key));
    if (name !== null) repositories.push(counter("repositories", name));
  } else if (key !== null) {
    repositories.push(counter("repositories", key).then(async (own) => own ?? folded(key)));
  }
  const ids = ["account"];
  if (key !== null) ids.push(`repository:${key}`);
  if (name !== null && name !== key) ids.push(`repository:${name}`);
  if (author !== null) ids.push(`author:${author}`);
  const [repos, authorCounter, warnings] = await Promise.all([
    Promise.all(repositories),
    author === null ? null : counter("authors", author),
    Promise.all(ids.map(async (id) => ((await warned(id)) ? [id] : []))),
  ]);
  use.repositories = repos
    .filter((f): f is Found => f !== null)
    .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1])
    .map((f) => f.counter);
  use.authors = authorCounter ? [authorCounter.counter] : [];
  use.warned = warnings.flat();
  return use;
}

/**
 * Whether an entry may take this warning back: only the fold of a repository's name into its
 * id does (month-use.ts, bumpRepository), and only the name's warning. Any other `unwarned` is
 * not believed, so that a budget warns once a month whatever an entry says.
 */
export const canBeTakenBack = (id: string): boolean =>
  id.startsWith("repository:") && isNameKey(id.slice("repository:".length));

/**
 * The month's warnings after an entry in a replay of the month (ledger:verify, countMonthUse):
 * `after` is the replay's use after it (useAfter moved a folded name's warning to its id),
 * `u` what the entry carries. A whole-month entry holds all of them, unless constant-size
 * entries of its month came before it (`trusted` false: a previous release carried them from
 * one entry's few), when it only adds; a constant-size entry adds the ones it recorded.
 */
export function replayWarned(
  after: MonthUse,
  u: EntryUse | null | undefined,
  trusted: boolean,
): string[] {
  if (!u || u.period !== after.period) return after.warned;
  if (!isConstantSize(u) && trusted) return [...u.warned];
  const warned = [...after.warned];
  for (const w of u.warned) if (!warned.includes(w)) warned.push(w);
  return warned;
}

/** What an old entry at `from` holds: the whole month (null when it is not one). */
function snapshotOf(record: UseRecord | null): MonthUse | null {
  const u = record?.monthUse;
  return u && !isConstantSize(u) ? wholeUse(u) : null;
}

/** A whole-month use, without anything a constant-size entry adds. */
function wholeUse(u: EntryUse): MonthUse {
  const whole = copyMonthUse(u) as EntryUse;
  delete whole.from;
  delete whole.fromSnapshot;
  delete whole.unwarned;
  return whole;
}

/**
 * What the entry's use is told apart from: the use before it, or nothing when its month's
 * counting starts at the entry itself (a month's first, or the count after a previous
 * release's entry, entry-use.ts), which so carries every counter and warning.
 */
export function carriedFrom(use: MonthUse, basis: UseBasis | null, seq: number): MonthUse {
  return basis?.from === seq ? emptyMonthUse(use.period) : use;
}

/**
 * What the entry carries: the totals after it, and the counters and warnings that differ
 * between `before` and `after` (a counter emptied: zero); the whole month when basis is null.
 */
export function entryUse(before: MonthUse, after: MonthUse, basis: UseBasis | null): EntryUse {
  if (basis === null) return copyMonthUse(after);
  const changed = (b: UseCounter[], a: UseCounter[]): UseCounter[] => {
    const out: UseCounter[] = [];
    const old = new Map(b.map((c) => [c.key, c]));
    for (const c of a) {
      const o = old.get(c.key);
      old.delete(c.key);
      if (!o || o.credits !== c.credits || o.runs !== c.runs || o.name !== c.name) {
        out.push({ ...c });
      }
    }
    for (const o of old.values()) {
      out.push({
        key: o.key,
        ...(o.name !== undefined ? { name: o.name } : {}),
        credits: 0,
        runs: 0,
      });
    }
    return out;
  };
  const unwarned = before.warned.filter((w) => !after.warned.includes(w));
  return {
    period: after.period,
    charged: after.charged,
    requestedRefunds: after.requestedRefunds,
    account: after.account,
    repositories: changed(before.repositories, after.repositories),
    authors: changed(before.authors, after.authors),
    warned: after.warned.filter((w) => !before.warned.includes(w)),
    ...(unwarned.length > 0 ? { unwarned } : {}),
    from: basis.from,
    fromSnapshot: basis.fromSnapshot,
  };
}

/**
 * The month's use as the next entry would see it, whole: every counter and warning of the
 * month (what GET /budgets and the billing summary show). A constant-size month is assembled
 * from its entries' changes, newest last, on the snapshot it started from.
 */
export async function monthUseView(
  store: LedgerStore,
  accountId: AccountId,
  prev: LedgerEntry | null,
  now: Date,
): Promise<MonthUse> {
  const loaded = await loadUse(store, accountId, prev, now, null);
  const carried = prev?.monthUse;
  if (!prev || !isConstantSize(carried) || carried.period !== loaded.use.period) {
    return loaded.use;
  }
  const from = carried.from;
  const base = carried.fromSnapshot ? snapshotOf(await store.useAt(accountId, from)) : null;
  const repositories = new Map((base?.repositories ?? []).map((c) => [c.key, c]));
  const authors = new Map((base?.authors ?? []).map((c) => [c.key, c]));
  const warned = new Set(base?.warned ?? []);
  const put = (m: Map<string, UseCounter>, c: UseCounter) => {
    // Delete first: a counter changed moves last, as in a whole month's order.
    m.delete(c.key);
    if (c.credits !== 0 || c.runs !== 0) m.set(c.key, { ...c });
  };
  for await (const { seq, monthUse: u } of store.useSince(accountId, base ? from + 1 : from)) {
    if (seq > prev.seq) break;
    if (!isConstantSize(u)) continue;
    for (const c of u.repositories) put(repositories, c);
    for (const c of u.authors) put(authors, c);
    for (const w of u.unwarned ?? []) if (canBeTakenBack(w)) warned.delete(w);
    for (const w of u.warned) warned.add(w);
  }
  return {
    ...loaded.use,
    repositories: [...repositories.values()],
    authors: [...authors.values()],
    warned: [...warned],
  };
}

/** Which of the month's counters a reader needs. */
export interface CounterKinds {
  repositories: boolean;
  authors: boolean;
}

/**
 * The month's use for people (GET /budgets, the billing summary's budgets): the totals, and
 * the counters of `kinds` each read from the newest entry carrying it (latestCounters), on
 * the snapshot the month started from; the kinds not asked for, and the warnings, left empty.
 * So its cost follows how many repositories and authors the month charged, not how many
 * charges it holds. monthUseView is the whole of it, as a charge would see it.
 */
export async function monthCountersView(
  store: LedgerStore,
  accountId: AccountId,
  prev: LedgerEntry | null,
  now: Date,
  kinds: CounterKinds,
): Promise<MonthUse> {
  const carried = prev?.monthUse;
  const totals = await monthTotals(store, accountId, prev, now);
  if (!prev || !isConstantSize(carried) || carried.period !== totals.period) {
    // The whole month is on the newest entry (an older form), or the month has no entry yet.
    const use = await monthUseView(store, accountId, prev, now);
    const { repositories, authors } = kinds;
    return {
      ...use,
      repositories: repositories ? use.repositories : [],
      authors: authors ? use.authors : [],
      warned: [],
    };
  }
  const range = { from: carried.from, to: prev.seq };
  const base = carried.fromSnapshot ? snapshotOf(await store.useAt(accountId, carried.from)) : null;
  const read = async (kind: "repositories" | "authors"): Promise<UseCounter[]> => {
    if (!kinds[kind]) return [];
    const counters = new Map((base?.[kind] ?? []).map((c) => [c.key, c]));
    for (const c of await store.latestCounters(accountId, range, kind)) {
      counters.delete(c.key);
      if (c.credits !== 0 || c.runs !== 0) counters.set(c.key, c);
    }
    return [...counters.values()];
  };
  const [repositories, authors] = await Promise.all([read("repositories"), read("authors")]);
  return { ...emptyMonthUse(totals.period), ...totals, repositories, authors };
}

/** How far before its month an entry counted in it may be stamped (a host's clock behind). */
const CLOCK_MARGIN_MS = 60_000;

/**
 * The month's use counted from the month's entries, warnings included (replayWarned): for the
 * first entry written after the upgrade that added month use (the newest entry has none), and
 * for the entry after a whole-month entry that a previous release wrote after constant-size
 * ones. That entry carries it whole, and the entries after it build on it.
 */
export async function countMonthUse(
  store: LedgerStore,
  accountId: AccountId,
  period: string,
  /** The newest entry the writer read: what was appended since fails its insert anyway. */
  to: number,
): Promise<MonthUse> {
  // From a moment before the month: an entry stamped just before midnight after one of this
  // month counts in this month (usePeriod); the ones before it count in theirs and are dropped.
  const from = new Date(Date.parse(`${period}-01T00:00:00Z`) - CLOCK_MARGIN_MS);
  let use = emptyMonthUse("");
  let sized = false;
  for await (const e of store.stream(accountId, "asc", { from })) {
    if (e.seq > to) break;
    const charge =
      e.type === "refund" && e.refundOf ? await store.findById(accountId, e.refundOf) : null;
    const before = use.period;
    use = useAfter(use, e, charge ?? undefined);
    if (use.period !== before) sized = false;
    use = { ...use, warned: replayWarned(use, e.monthUse, !sized) };
    if (isConstantSize(e.monthUse) && e.monthUse.period === use.period) sized = true;
  }
  return use.period === period ? use : emptyMonthUse(period);
}

/** The month's totals, without its counters: what the billing summary shows without budgets. */
export type MonthTotals = Pick<MonthUse, "period" | "charged" | "requestedRefunds" | "account">;

/**
 * This month's totals as the next entry would see them: the newest entry's, which every form
 * carries whole, so one read (the month is counted only when the newest predates month use).
 */
export async function monthTotals(
  store: LedgerStore,
  accountId: AccountId,
  prev: LedgerEntry | null,
  now: Date,
): Promise<MonthTotals> {
  const carried = prev?.monthUse;
  const use =
    prev && carried && carried.period === usePeriod(now, chargePeriod(prev))
      ? carried
      : (await loadUse(store, accountId, prev, now, null)).use;
  const { period, charged, requestedRefunds, account } = use;
  return { period, charged, requestedRefunds, account };
}
