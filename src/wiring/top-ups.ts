import { toAccountId } from "../accounts/types.js";
import { createFixCurrency } from "../billing/fix-currency.js";
import { createCheckout } from "../billing/create-checkout.js";
import { createTopUpPayer } from "../billing/pay-top-up.js";
import { createTopUpRepair } from "../billing/repair-top-ups.js";
import { createStripe } from "../billing/stripe-client.js";
import { createStripeCustomers } from "../billing/stripe-customers.js";
import { createTopUpDeclines } from "../billing/top-up-declines.js";
import { createTopUpPaymentEvents } from "../billing/top-up-payment-events.js";
import type { AttemptOutcome, TopUpAttempt } from "../billing/top-up-attempt-store.js";
import type { Config } from "../config/env.js";
import { createRunTopUp } from "../notifications/run-top-up.js";
import { createTopUpNoticeQueue } from "../notifications/top-up-notices.js";
import type { Money } from "./money.js";
import type { Adapters, Tuning } from "./types.js";

/**
 * Stripe and what pays with it, built once per process and shared by the web role (Checkout,
 * the Stripe webhook) and the worker role (the top-up job, the repair of stuck attempts):
 * both settle top-ups through the same handlers and follow a failure up the same way (the
 * switch-off after three declines, audited; the billing contacts' emails).
 */
export function wirePayments(config: Config, a: Adapters, t: Tuning, money: Money) {
  const { store } = a;
  const packages = config.CREDIT_PACKAGES;
  // Stripe is optional: without a key, checkout answers 503 and top-ups never start.
  const stripe =
    a.stripe !== undefined
      ? a.stripe
      : config.STRIPE_SECRET_KEY
        ? createStripe(config.STRIPE_SECRET_KEY, config.STRIPE_API_BASE)
        : null;
  const billingCurrency = async (id: number) =>
    (await store.accounts.get(toAccountId(id)))?.billingCurrency ?? null;
  // Purchases are invoiced to the account's one customer, so their invoices match it.
  const customers = createStripeCustomers({ stripe, store: store.stripeCustomers, now: t.now });
  const checkout =
    a.checkout ??
    createCheckout({
      stripe,
      sessions: store.checkoutSessions,
      publicUrl: config.PUBLIC_URL,
      packages,
      billingCurrency,
      customers,
      automaticTax: config.STRIPE_AUTOMATIC_TAX,
    });

  const notices = createTopUpNoticeQueue(money.producer.enqueueTopUpNotice);
  // Three declines in a row switch auto top-up off: audited and emailed once.
  const declines = createTopUpDeclines({
    attempts: store.topUpAttempts,
    settings: store.autoTopUp,
    onSwitchedOff: async (attempt, record) => {
      await money.audit.record({
        accountId: attempt.accountId,
        actor: { kind: "app" },
        action: "auto_top_up_changed",
        interface: "app",
        details: {
          enabled: record.enabled,
          switchedOffBecause: record.switchedOffBecause,
          afterAttempt: attempt.attemptKey,
        },
        idempotencyKey: `auto-top-up-off:${attempt.attemptKey}`,
      });
      await notices.switchedOff(attempt);
    },
    now: t.now,
  });
  const onNotPaid = async (attempt: TopUpAttempt, outcome: AttemptOutcome) => {
    await declines(attempt, outcome);
    await notices.notPaid(attempt, outcome);
  };
  const topUpEvents = createTopUpPaymentEvents({
    ledger: money.ledger,
    attempts: store.topUpAttempts,
    customers: store.stripeCustomers,
    packages,
    audit: money.audit,
    auditEntry: money.auditLedgerEntry,
    fixCurrency: createFixCurrency({ accounts: store.accounts, audit: money.audit }),
    onNotPaid,
    now: t.now,
  });
  const payer = stripe
    ? createTopUpPayer({
        stripe,
        settings: store.autoTopUp,
        billingCurrency,
        customers: store.stripeCustomers,
        attempts: store.topUpAttempts,
        // The newest entry's balance: a read, never a write (summary() may write the free tier).
        balance: async (accountId) => (await store.ledger.latest(accountId))?.balanceAfter ?? 0,
        packages,
        onNotPaid,
        now: t.now,
      })
    : null;
  const runTopUp =
    payer &&
    createRunTopUp({
      payer,
      enqueueTopUp: money.producer.enqueueTopUp,
      audit: money.audit,
      now: t.now,
    });
  const repairTopUps =
    stripe && payer
      ? createTopUpRepair({
          stripe,
          settings: store.autoTopUp,
          attempts: store.topUpAttempts,
          payer,
          events: topUpEvents,
          now: t.now,
        })
      : null;
  return {
    stripe,
    customers,
    checkout,
    topUpEvents,
    runTopUp: runTopUp ?? undefined,
    repairTopUps,
  };
}

export type Payments = ReturnType<typeof wirePayments>;
