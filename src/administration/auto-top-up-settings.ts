/**
 * An admin's auto top-up settings: read, and changed as a whole after every check passes.
 * Nothing else switches it on: no purchase, plan change or reactivation calls `change`, and
 * an account with no record reads as off. A refused change writes nothing.
 */
import type { AccountId } from "../accounts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type {
  AutoTopUpRecord,
  AutoTopUpSettings,
  AutoTopUpStore,
  SwitchedOffBecause,
} from "../billing/auto-top-up-store.js";
import { DEFAULT_CURRENCY, isCurrency } from "../billing/currency.js";
import { findPackage, priceIn, type CreditPackage } from "../billing/packages.js";
import type { SavedPaymentMethod, StripeCustomerStore } from "../billing/stripe-customer-store.js";
import type { AttemptOutcome, TopUpAttemptStore } from "../billing/top-up-attempt-store.js";
import type { Admin } from "./admin.js";

export interface AutoTopUpSettingsDeps {
  store: Pick<AutoTopUpStore, "find" | "save" | "switchOff">;
  customers: Pick<StripeCustomerStore, "find">;
  packages: readonly CreditPackage[];
  /** The account's billing currency once fixed: the monthly money limit is in it. */
  billingCurrency?: (accountId: AccountId) => Promise<string | null>;
  audit: Pick<AuditLog, "record">;
  /** Whether a top-up of the account is being paid (an attempt in flight). */
  topUpPending?: (accountId: AccountId) => Promise<boolean>;
  /** The account's attempts, for this month's top-ups and the last one; none: none shown. */
  attempts?: Pick<TopUpAttemptStore, "recent">;
  now?: () => Date;
}

/** The latest attempt as the dashboard shows it: what it was for and what came of it. */
export interface LastTopUp {
  at: Date;
  /** "in_flight" while its payment is not settled. */
  status: AttemptOutcome | "in_flight";
  credits: number;
  priceCents: number;
  currency: string;
}

/** What the API and the dashboard show. */
export interface AutoTopUpView extends AutoTopUpSettings {
  switchedOffBecause: SwitchedOffBecause;
  paymentMethod: Pick<SavedPaymentMethod, "brand" | "last4"> | null;
  /** This calendar month's (UTC) top-ups as the limit counts them: paid and in flight. */
  thisMonth: { count: number; cents: number };
  /** The latest attempt of the last 31 days, or null. */
  lastAttempt: LastTopUp | null;
}

/** How far back the last attempt is looked for. */
const LAST_ATTEMPT_WINDOW_MS = 31 * 24 * 60 * 60 * 1000;

export type ChangeAutoTopUpResult =
  | { status: "changed"; view: AutoTopUpView }
  | { status: "unknown_package" }
  /** The threshold is more than the package buys: a top-up would leave it at or below again. */
  | { status: "threshold_above_package" }
  /** On with a limit that allows no top-up (0, or less money than the package costs). */
  | { status: "limit_too_low" }
  | { status: "no_payment_method" }
  | { status: "top_up_pending" };

/** The monthly limit shown before an admin sets one: three top-ups of the package. */
const DEFAULT_MONTHLY_COUNT = 3;
/** The threshold shown before an admin sets one: the low-balance warning's level. */
const DEFAULT_THRESHOLD = 10;

export function createAutoTopUpSettings(deps: AutoTopUpSettingsDeps) {
  const now = deps.now ?? (() => new Date());

  /** Off, with the first package and a small limit, for an account that never set it up. */
  function defaults(): AutoTopUpSettings {
    const pkg = deps.packages[0];
    if (!pkg) throw new Error("no credit packages configured");
    return {
      enabled: false,
      packageId: pkg.id,
      thresholdCredits: Math.min(DEFAULT_THRESHOLD, pkg.credits),
      monthlyMaxCount: DEFAULT_MONTHLY_COUNT,
      monthlyMaxCents: DEFAULT_MONTHLY_COUNT * pkg.priceCents,
    };
  }

  async function view(
    accountId: AccountId,
    record?: AutoTopUpRecord | null,
  ): Promise<AutoTopUpView> {
    const stored = record === undefined ? await deps.store.find(accountId) : record;
    const card = (await deps.customers.find(accountId))?.paymentMethod ?? null;
    const settings = stored ?? defaults();
    const at = now();
    const monthStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
    const attempts = deps.attempts
      ? await deps.attempts.recent(
          accountId,
          new Date(Math.min(monthStart, at.getTime() - LAST_ATTEMPT_WINDOW_MS)),
        )
      : [];
    // As the limit counts them (top-up-rules.ts): a declined top-up charged nothing.
    const counted = attempts.filter(
      (a) => a.state !== "failed" && a.createdAt.getTime() >= monthStart,
    );
    const last = attempts[0];
    return {
      enabled: settings.enabled,
      packageId: settings.packageId,
      thresholdCredits: settings.thresholdCredits,
      monthlyMaxCount: settings.monthlyMaxCount,
      monthlyMaxCents: settings.monthlyMaxCents,
      switchedOffBecause: stored?.switchedOffBecause ?? null,
      paymentMethod: card ? { brand: card.brand, last4: card.last4 } : null,
      thisMonth: {
        count: counted.length,
        cents: counted.reduce((sum, a) => sum + a.priceCents, 0),
      },
      lastAttempt: last
        ? {
            at: last.createdAt,
            status: last.outcome ?? "in_flight",
            credits: last.credits,
            priceCents: last.priceCents,
            currency: last.currency,
          }
        : null,
    };
  }

  async function change(
    accountId: AccountId,
    admin: Admin,
    wanted: AutoTopUpSettings,
  ): Promise<ChangeAutoTopUpResult> {
    const pkg = findPackage(deps.packages, wanted.packageId);
    if (!pkg) return { status: "unknown_package" };
    if (wanted.thresholdCredits > pkg.credits) return { status: "threshold_above_package" };
    const before = await deps.store.find(accountId);
    if (wanted.enabled) {
      const fixed = (await deps.billingCurrency?.(accountId)) ?? DEFAULT_CURRENCY;
      const price = isCurrency(fixed) ? priceIn(pkg, fixed) : pkg.priceCents;
      if (wanted.monthlyMaxCount < 1 || wanted.monthlyMaxCents < price) {
        return { status: "limit_too_low" };
      }
      if (!(await deps.customers.find(accountId))?.paymentMethod) {
        return { status: "no_payment_method" };
      }
      // Switching on again while a top-up is still on its way would let a second one in
      // behind it: wait until it is settled.
      if (!before?.enabled && (await deps.topUpPending?.(accountId))) {
        return { status: "top_up_pending" };
      }
    }
    let saved = await deps.store.save(accountId, wanted, now());
    let answer = saved;
    // The card may have been removed between the check and the save (its removal switched
    // off a record that was still off): never leave it on without a card.
    if (saved.enabled && !(await deps.customers.find(accountId))?.paymentMethod) {
      const off = await deps.store.switchOff(accountId, "card_removed", now());
      saved = off ?? saved;
      // Null: the removal switched off what this change saved, after the save. The audit keeps
      // what this change stored (the removal audits its own switch-off); the answer is the
      // record as it is now, never "on" for a record that is off.
      answer = off ?? (await deps.store.find(accountId)) ?? saved;
    }
    await deps.audit.record({
      accountId,
      actor: admin.actor,
      action: "auto_top_up_changed",
      interface: admin.interface,
      details: { before: before ? settingsOf(before) : null, after: settingsOf(saved) },
    });
    return { status: "changed", view: await view(accountId, answer) };
  }

  return { view: (accountId: AccountId) => view(accountId), change };
}

export type AutoTopUpAdmin = ReturnType<typeof createAutoTopUpSettings>;

const settingsOf = (r: AutoTopUpSettings): AutoTopUpSettings => ({
  enabled: r.enabled,
  packageId: r.packageId,
  thresholdCredits: r.thresholdCredits,
  monthlyMaxCount: r.monthlyMaxCount,
  monthlyMaxCents: r.monthlyMaxCents,
});
