import { describe, expect, it } from "@jest/globals";
import { ACME, attemptAt, autoTopUpWorld } from "../support/auto-top-up-admin.js";

/**
 * What the dashboard shows against the monthly limit, and the last attempt: the limit counts
 * this calendar month's (UTC) top-ups that were paid or are in flight, never a declined one
 * nor last month's; the last attempt is looked for over the last 31 days, across the month.
 */
describe("auto top-up's view of this month and of the last attempt", () => {
  it("counts paid and in-flight top-ups from the month's first millisecond, not declined or last month's", async () => {
    const w = autoTopUpWorld(); // now: 2026-12-07T12:00Z
    const { topUpAttempts } = w.store;
    const settled = async (
      key: string,
      at: string,
      cents: number,
      outcome: "paid" | "declined",
    ) => {
      await topUpAttempts.begin(attemptAt(key, at, cents));
      await topUpAttempts.settle(ACME, attemptAt(key, at).attemptKey, outcome, new Date(at));
    };
    await settled("last-month", "2026-11-28T09:00:00.000Z", 11_400, "paid");
    await settled("first-ms", "2026-12-01T00:00:00.000Z", 12_250, "paid");
    await settled("declined", "2026-12-03T09:00:00.000Z", 39_600, "declined");
    await topUpAttempts.begin(attemptAt("in-flight", "2026-12-06T09:00:00.000Z", 3_000));

    const view = await w.settings.view(ACME);
    expect(view.thisMonth).toEqual({ count: 2, cents: 12_250 + 3_000 });
    expect(view.lastAttempt).toEqual({
      at: new Date("2026-12-06T09:00:00.000Z"),
      status: "in_flight",
      credits: 500,
      priceCents: 3_000,
      currency: "usd",
    });
  });

  it("shows a last attempt made last month, as far back as 31 days and no further", async () => {
    const withAttemptAt = async (at: string) => {
      const w = autoTopUpWorld(); // now: 2026-12-07T12:00Z
      await w.store.topUpAttempts.begin(attemptAt("e1", at));
      await w.store.topUpAttempts.settle(
        ACME,
        attemptAt("e1", at).attemptKey,
        "declined",
        w.clock.now(),
      );
      return w.settings.view(ACME);
    };

    const inside = await withAttemptAt("2026-11-06T12:00:00.000Z");
    expect(inside.lastAttempt).toEqual({
      at: new Date("2026-11-06T12:00:00.000Z"),
      status: "declined",
      credits: 500,
      priceCents: 12_250,
      currency: "usd",
    });
    // Last month's: not counted against this month's limit.
    expect(inside.thisMonth).toEqual({ count: 0, cents: 0 });

    const outside = await withAttemptAt("2026-11-06T11:59:59.999Z");
    expect(outside.lastAttempt).toBeNull();
  });
});
