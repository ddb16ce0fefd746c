import { describe, expect, it } from "@jest/globals";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import {
  MIN_MS_BETWEEN_ATTEMPTS,
  decideTopUp,
  type AttemptSummary,
  type TopUpCheck,
} from "../../src/billing/top-up-rules.js";

const NOW = new Date("2026-12-15T12:00:00Z");
const growth = DEFAULT_PACKAGES.find((p) => p.id === "growth")!;
const check = (over: Partial<TopUpCheck> = {}): TopUpCheck => ({
  settings: {
    enabled: true,
    packageId: "growth",
    thresholdCredits: 20,
    monthlyMaxCount: 2,
    monthlyMaxCents: 24500,
  },
  hasCard: true,
  balance: 20,
  packages: DEFAULT_PACKAGES,
  attempts: [],
  now: NOW,
  ...over,
});
const attempt = (
  at: string,
  state: AttemptSummary["state"] = "succeeded",
  priceCents = 12250,
): AttemptSummary => ({ at: new Date(at), state, priceCents });

describe("whether an automatic top-up may be paid now", () => {
  it("pays at the threshold, switched on, with a card, nothing in the way", () => {
    expect(decideTopUp(check())).toStrictEqual({ pay: true, pkg: growth });
    expect(decideTopUp(check({ balance: 0 }))).toStrictEqual({ pay: true, pkg: growth });
  });

  it("does not pay once the balance is above the threshold again", () => {
    expect(decideTopUp(check({ balance: 21 }))).toStrictEqual({
      pay: false,
      because: "above_threshold",
    });
  });

  it("does not pay when switched off, never set up, without a card, or for a package gone", () => {
    const s = check().settings!;
    expect(decideTopUp(check({ settings: null })).pay).toBe(false);
    expect(decideTopUp(check({ settings: { ...s, enabled: false } }))).toMatchObject({
      because: "switched_off",
    });
    expect(decideTopUp(check({ hasCard: false }))).toMatchObject({ because: "no_card" });
    expect(decideTopUp(check({ settings: { ...s, packageId: "gone" } }))).toMatchObject({
      because: "unknown_package",
    });
  });

  it("never pays while another top-up is in flight, however old", () => {
    const attempts = [attempt("2026-12-01T00:00:00Z", "in_flight")];
    expect(decideTopUp(check({ attempts }))).toStrictEqual({ pay: false, because: "in_flight" });
  });

  it("waits an hour after any attempt, successful or failed, to the millisecond", () => {
    for (const state of ["succeeded", "failed"] as const) {
      const at = new Date(NOW.getTime() - MIN_MS_BETWEEN_ATTEMPTS + 1);
      const attempts = [attempt(at.toISOString(), state)];
      expect(decideTopUp(check({ attempts }))).toStrictEqual({
        pay: false,
        because: "too_soon",
        retryAt: new Date(NOW.getTime() + 1),
      });
      const hourAgo = new Date(NOW.getTime() - MIN_MS_BETWEEN_ATTEMPTS).toISOString();
      expect(decideTopUp(check({ attempts: [attempt(hourAgo, state)] })).pay).toBe(true);
    }
  });

  it("stops at the month's count and money, counting paid and not declined top-ups", () => {
    const two = [attempt("2026-12-01T00:00:00Z"), attempt("2026-12-02T00:00:00Z")];
    expect(decideTopUp(check({ attempts: two }))).toStrictEqual({
      pay: false,
      because: "monthly_count_reached",
    });
    // Declined ones charged nothing; last month's are last month's.
    const declined = [
      attempt("2026-12-01T00:00:00Z", "failed"),
      attempt("2026-12-02T00:00:00Z", "failed"),
      attempt("2026-11-30T23:59:59Z"),
      attempt("2026-12-03T00:00:00Z"),
    ];
    expect(decideTopUp(check({ attempts: declined })).pay).toBe(true);

    const s = check().settings!;
    const money = { ...s, monthlyMaxCount: 5, monthlyMaxCents: 24499 };
    expect(
      decideTopUp(check({ settings: money, attempts: [attempt("2026-12-01T00:00:00Z")] })),
    ).toStrictEqual({ pay: false, because: "monthly_amount_reached" });
    expect(
      decideTopUp(
        check({
          settings: { ...money, monthlyMaxCents: 24500 },
          attempts: [attempt("2026-12-01T00:00:00Z")],
        }),
      ).pay,
    ).toBe(true);
    // The first top-up of the month must fit the money limit by itself.
    expect(decideTopUp(check({ settings: { ...s, monthlyMaxCents: 12249 } }))).toMatchObject({
      because: "monthly_amount_reached",
    });
  });
});
