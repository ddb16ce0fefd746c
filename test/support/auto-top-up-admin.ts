/**
 * Auto top-up's settings use case (administration/auto-top-up-settings.ts) on the in-memory
 * store, wired as src/wiring/http.ts wires it, on a clock the test controls.
 */
import type { Admin } from "../../src/administration/admin.js";
import {
  createAutoTopUpSettings,
  type AutoTopUpSettingsDeps,
} from "../../src/administration/auto-top-up-settings.js";
import { toAccountId } from "../../src/accounts/types.js";
import { createAuditLog } from "../../src/audit/audit-log.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import type { NewTopUpAttempt } from "../../src/billing/top-up-attempt-store.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { TestClock } from "./ledger-fixture.js";

export const ACME = toAccountId(4242);
export const ADMIN: Admin = {
  actor: { kind: "github_user", id: 77, login: "acme-admin" },
  interface: "api",
};

/**
 * The use case with every dependency production gives it; `over` replaces some (a store
 * wrapped to let another writer in, say). The clock reads 2026-12-07T12:00Z unless set.
 */
export function autoTopUpWorld(over: (w: World) => Partial<AutoTopUpSettingsDeps> = () => ({})) {
  const store = createMemoryStore();
  const clock = new TestClock(new Date("2026-12-07T12:00:00Z"));
  const audit = createAuditLog({ store: store.audit, now: clock.now });
  const world = { store, clock, audit };
  const settings = createAutoTopUpSettings({
    store: store.autoTopUp,
    customers: store.stripeCustomers,
    packages: DEFAULT_PACKAGES,
    billingCurrency: async (id) => (await store.accounts.get(id))?.billingCurrency ?? null,
    audit,
    attempts: store.topUpAttempts,
    topUpPending: async (id) =>
      (await store.topUpAttempts.recent(id, new Date(8.64e15))).some(
        (a) => a.state === "in_flight",
      ),
    now: clock.now,
    ...over(world),
  });
  return { ...world, settings };
}

type World = Pick<ReturnType<typeof autoTopUpWorld>, "store" | "clock" | "audit">;

/** A top-up attempt of `priceCents` recorded at `at` (ISO), still in flight. */
export const attemptAt = (key: string, at: string, priceCents = 12250): NewTopUpAttempt => ({
  attemptKey: `auto-top-up:${ACME}:${key}`,
  accountId: ACME,
  packageId: "growth",
  credits: 500,
  priceCents,
  currency: "usd",
  customerId: "cus_TAcme4242",
  paymentMethodId: "pm_1Visa4242",
  createdAt: new Date(at),
});
