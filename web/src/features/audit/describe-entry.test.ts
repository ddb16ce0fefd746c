import { describe, expect, it } from "@jest/globals";
import type { AuditEntry } from "./api";
import { ACTION_LABEL, summaryOf } from "./describe-entry";

const entry = (action: AuditEntry["action"], details: Record<string, unknown>): AuditEntry => ({
  id: "a1",
  at: "2026-11-20T10:00:00.000Z",
  action,
  interface: "dashboard",
  actor: { kind: "github_user", id: 7, login: "alice" },
  details,
});

describe("an audit entry's summary", () => {
  it("names budget fields and says what their values mean", () => {
    const e = entry("budget_changed", {
      before: { account: null, authorDefault: 10, pullRequestRuns: null, warnAtPercent: 80 },
      after: { account: 50, authorDefault: null, pullRequestRuns: 1, warnAtPercent: 50 },
    });
    expect(summaryOf(e)).toBe(
      "Account cap: none → 50 credits; Cap for each author: 10 credits → none; " +
        "Runs per pull request: none → 1 run; Warn at: 80 % → 50 %",
    );
  });

  it("lists budget rules by name and cap, whole or as what changed", () => {
    const whole = entry("budget_changed", {
      before: { repositories: [] },
      after: { repositories: [{ pattern: "api-*", credits: 3 }] },
    });
    expect(summaryOf(whole)).toBe("Repository caps: none → api-* (3 credits)");
    const diff = entry("budget_changed", {
      before: {},
      after: {
        authors: {
          added: [{ login: "octocat", credits: 4 }],
          removed: [{ login: "hubot", credits: 1 }],
          changed: [{ rule: { login: "bob", credits: 9 }, from: 5 }],
        },
      },
    });
    expect(summaryOf(diff)).toBe(
      "Author caps: added octocat (4 credits), removed hubot (1 credit), bob 5 → 9 credits",
    );
    const counted = entry("budget_changed", {
      before: {},
      after: { repositories: { added: 120, removed: 0, changed: 2 } },
    });
    expect(summaryOf(counted)).toBe("Repository caps: 120 added, 2 changed");
  });

  it("says settings in words", () => {
    const e = entry("settings_changed", {
      before: {
        reviewCharging: "pull_request",
        lowBalanceEmails: true,
        billingContacts: [],
        chatFromNonWriters: false,
      },
      after: {
        reviewCharging: "review_run",
        lowBalanceEmails: false,
        billingContacts: ["a@acme.test", "b@acme.test"],
        chatFromNonWriters: true,
      },
    });
    expect(summaryOf(e)).toBe(
      "Review charging: one credit per pull request → one credit per review run; " +
        "Low-balance emails: on → off; Billing contacts: none → a@acme.test, b@acme.test; " +
        "Chat from people without write access: off → on",
    );
  });

  it("says which GitHub event Jasper could not handle, on what, and why", () => {
    const e = entry("delivery_failed", {
      event: "pull_request.opened",
      deliveryId: "d-1",
      repository: "acme/app",
      number: 12,
      url: "https://github.com/acme/app/pull/12",
      error: "GitHub answered 502",
    });
    expect(summaryOf(e)).toBe("pull_request.opened · acme/app#12 · error: GitHub answered 502");
    expect(summaryOf(entry("delivery_failed", { event: "installation.created" }))).toBe(
      "installation.created",
    );
  });

  it("keeps a field it does not know readable, with none for null", () => {
    const e = entry("settings_changed", { before: { later: null }, after: { later: "x" } });
    expect(summaryOf(e)).toBe("later: none → x");
    expect(
      summaryOf(entry("budget_override", { repository: "acme/app", number: 3, run: "r" })),
    ).toBe("acme/app#3");
  });

  it("says what a learning said, where it applies and what it silences", () => {
    const added = entry("learning_added", {
      learning: "l1",
      scope: "repository",
      repository: "acme/app",
      number: 3,
      text: "Money is integers.",
    });
    expect(summaryOf(added)).toBe('"Money is integers." · acme/app');
    const deleted = entry("learning_deleted", {
      learning: "l2",
      scope: "organization",
      repository: "acme/app",
      text: "ignore debug leftover in scripts/**",
      rule: "debug leftover",
      paths: "scripts/**",
      taughtBy: "bob",
    });
    expect(summaryOf(deleted)).toBe(
      '"ignore debug leftover in scripts/**" · every repository · silences debug leftover in scripts/**',
    );
  });

  it("says what came of an automatic top-up, and why Jasper switched it off", () => {
    const attempt = entry("auto_top_up_attempt", {
      attemptKey: "auto-top-up:101:e1",
      outcome: "declined",
      paymentIntent: "pi_3No",
      credits: 500,
      amountCents: 12250,
      currency: "usd",
    });
    expect(summaryOf(attempt)).toBe("declined · 500 credits · $122.50");
    const off = entry("auto_top_up_changed", {
      enabled: false,
      switchedOffBecause: "declined",
      afterAttempt: "auto-top-up:101:e3",
    });
    expect(summaryOf(off)).toBe("switched off after three declines in a row");
    // A top-up in the account's currency reads in it.
    const euros = entry("auto_top_up_attempt", {
      outcome: "paid",
      credits: 500,
      amountCents: 11400,
      currency: "eur",
    });
    expect(summaryOf(euros)).toBe("paid · 500 credits · €114.00");
  });

  it("says which currency the first payment fixed", () => {
    const fixed = entry("billing_currency_fixed", { currency: "gbp" });
    expect(ACTION_LABEL[fixed.action]).toBe("Billing currency fixed");
    expect(summaryOf(fixed)).toBe("GBP, by the first payment: every later payment is in it");
  });

  it("says what an enterprise invoice bills and when it is due", () => {
    const sent = entry("enterprise_invoice_created", {
      invoice: "in_Dec",
      monthStart: "2026-12-10T09:00:00.000Z",
      amountCents: 250000,
      currency: "usd",
      daysUntilDue: 30,
    });
    expect(ACTION_LABEL[sent.action]).toBe("Enterprise invoice sent");
    expect(summaryOf(sent)).toBe("$2500.00 · the month from 2026-12-10 · due in 30 days · in_Dec");
    const voided = entry("enterprise_invoice_created", {
      ...sent.details,
      foundStatus: "void",
    });
    expect(summaryOf(voided)).toBe(
      "$2500.00 · the month from 2026-12-10 · due in 30 days · in_Dec · void at Stripe: not sent again",
    );
  });
});
