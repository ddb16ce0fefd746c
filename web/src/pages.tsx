/**
 * The dashboard's pages, in one list: the router (app.tsx), the navigation (shared/layout.tsx)
 * and the titles all read this, so a new page is added here only. Each lives at
 * `/billing/<account>/<slug>` (shared/dashboard-path.ts); Billing's slug is "".
 */
import type { JSX } from "preact";
import { ApiKeysPage } from "./features/api-keys/api-keys-page";
import { AuditPage } from "./features/audit/audit-page";
import { BillingPage } from "./features/billing/billing-page";
import { BudgetsPage } from "./features/budgets/budgets-page";
import { AccountCalculatorPage } from "./features/calculator/account-calculator-page";
import { HistoryPage } from "./features/history/history-page";
import { InvoicesPage } from "./features/invoices/invoices-page";
import { LearningsPage } from "./features/learnings/learnings-page";
import { NotificationsPage } from "./features/notifications/notifications-page";
import { PlanPage } from "./features/plan/plan-page";
import { SettingsPage } from "./features/settings/settings-page";
import { UsagePage } from "./features/usage/usage-page";

/** The one page also shown signed out, at `/billing/calculator` (app.tsx). */
export const CALCULATOR_SLUG = "calculator";

export interface DashboardPage {
  slug: string;
  /** In the navigation and the window's title. */
  label: string;
  render(query: URLSearchParams): JSX.Element;
}

export const PAGES: readonly DashboardPage[] = [
  { slug: "", label: "Billing", render: (query) => <BillingPage query={query} /> },
  { slug: "plan", label: "Plan", render: () => <PlanPage /> },
  { slug: "history", label: "History", render: () => <HistoryPage /> },
  { slug: "invoices", label: "Invoices", render: () => <InvoicesPage /> },
  { slug: "usage", label: "Usage", render: () => <UsagePage /> },
  { slug: "budgets", label: "Budgets", render: () => <BudgetsPage /> },
  { slug: "notifications", label: "Notifications", render: () => <NotificationsPage /> },
  { slug: "settings", label: "Settings", render: () => <SettingsPage /> },
  { slug: "api-keys", label: "API keys", render: () => <ApiKeysPage /> },
  { slug: "learnings", label: "Learnings", render: () => <LearningsPage /> },
  { slug: "audit-log", label: "Audit log", render: () => <AuditPage /> },
  { slug: CALCULATOR_SLUG, label: "Cost calculator", render: () => <AccountCalculatorPage /> },
];

export const PAGE_SLUGS: readonly string[] = PAGES.map((p) => p.slug).filter(Boolean);

export const pageOf = (slug: string): DashboardPage =>
  PAGES.find((p) => p.slug === slug) ?? PAGES[0]!;
