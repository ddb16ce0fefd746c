/**
 * The operators' results as plain JSON, the same for the CLI's --json output and the
 * operator API: dates as ISO strings, entries with their uncollected part and reference.
 */
import type { AuditEntry } from "../audit/types.js";
import type { EntryRow } from "../ledger/ledger-store.js";
import type { ReviewRun } from "../reviews/types.js";
import type { AccountLine } from "./list-accounts.js";
import type { AccountView } from "./show-account.js";

export const presentLedgerEntry = (e: EntryRow) => ({
  id: e.id,
  seq: e.seq,
  createdAt: e.createdAt.toISOString(),
  type: e.type,
  amount: e.amount,
  deltas: e.deltas,
  uncollected: e.uncollected,
  balanceAfter: e.balanceAfter,
  description: e.description,
  reference: e.reference,
});

export const presentAuditEntry = (e: AuditEntry) => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: e.actor,
  action: e.action,
  interface: e.interface,
  details: e.details,
});

const presentRun = (r: ReviewRun) => ({
  runKey: r.runKey,
  repository: r.pr.repository,
  number: r.pr.number,
  status: r.status,
  chargeKey: r.chargeKey,
  updatedAt: r.updatedAt.toISOString(),
});

export const presentAccountView = (v: AccountView) => ({
  account: {
    id: v.account.id,
    login: v.account.login,
    type: v.account.type,
    status: v.account.status,
    createdAt: v.account.createdAt.toISOString(),
  },
  balance: v.summary.balance,
  buckets: v.summary.buckets,
  alertLevel: v.summary.alertLevel,
  paused: v.summary.paused,
  usageThisMonth: v.summary.usageThisMonth,
  settings: v.account.settings,
  openRuns: v.openRuns.map(presentRun),
  lastEntries: v.lastEntries.map(presentLedgerEntry),
  lastAudit: v.lastAudit.map(presentAuditEntry),
});

export const presentAccountLine = (l: AccountLine) => ({
  id: l.account.id,
  login: l.account.login,
  status: l.account.status,
  balance: l.balance,
  alertLevel: l.alertLevel,
  lastActivity: l.lastActivity?.toISOString() ?? null,
});
