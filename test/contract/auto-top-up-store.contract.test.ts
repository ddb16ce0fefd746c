import { afterEach, describe, expect, it } from "@jest/globals";
import type { AutoTopUpSettings } from "../../src/billing/auto-top-up-store.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const settings = (overrides: Partial<AutoTopUpSettings> = {}): AutoTopUpSettings => ({
  enabled: true,
  packageId: "growth",
  thresholdCredits: 20,
  monthlyMaxCount: 3,
  monthlyMaxCents: 36750,
  ...overrides,
});
const T1 = new Date("2026-12-01T10:00:00.500Z");
const T2 = new Date("2026-12-01T11:00:00.000Z");

describe.each(storeFactories())("auto top-up store contract: $name", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("has no record for an account that never set it up, and keeps what an admin saved", async () => {
    const { autoTopUp: store } = await create();
    const accountId = newAccountId();
    expect(await store.find(accountId)).toBeNull();

    const saved = await store.save(accountId, settings(), T1);
    const expected = { accountId, ...settings(), switchedOffBecause: null, updatedAt: T1 };
    expect(saved).toStrictEqual(expected);
    const found = await store.find(accountId);
    expect(found).toStrictEqual(expected);
    found!.enabled = false;
    found!.updatedAt.setUTCFullYear(2000);
    expect(await store.find(accountId)).toStrictEqual(expected);
    // Another account's settings are its own.
    expect(await store.find(newAccountId())).toBeNull();
  });

  it("replaces the whole settings on save, and a save clears why it went off", async () => {
    const { autoTopUp: store } = await create();
    const accountId = newAccountId();
    await store.save(accountId, settings(), T1);
    await store.switchOff(accountId, "declined", T1);
    const next = settings({ packageId: "scale", thresholdCredits: 0, monthlyMaxCount: 1 });
    expect(await store.save(accountId, next, T2)).toStrictEqual({
      accountId,
      ...next,
      switchedOffBecause: null,
      updatedAt: T2,
    });
  });

  it("switches off only what is on, once however many ask at the same time", async () => {
    const { autoTopUp: store } = await create();
    const accountId = newAccountId();
    expect(await store.switchOff(accountId, "card_removed", T1)).toBeNull();
    await store.save(accountId, settings({ enabled: false }), T1);
    expect(await store.switchOff(accountId, "card_removed", T1)).toBeNull();
    expect((await store.find(accountId))?.switchedOffBecause).toBeNull();

    await store.save(accountId, settings(), T1);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.switchOff(accountId, i % 2 ? "declined" : "card_removed", T2),
      ),
    );
    const done = results.filter((r) => r !== null);
    expect(done).toHaveLength(1);
    expect(await store.find(accountId)).toStrictEqual(done[0]);
    expect(done[0]).toMatchObject({ enabled: false, updatedAt: T2, packageId: "growth" });
  });

  it("lists records after an account id, on or off, in account order, a page at a time", async () => {
    const { autoTopUp: store } = await create();
    const ids = [newAccountId(), newAccountId(), newAccountId()].sort((x, y) => x - y);
    const [a, b, c] = ids as [(typeof ids)[number], (typeof ids)[number], (typeof ids)[number]];
    await store.save(c, settings(), T1);
    await store.save(a, settings({ enabled: false }), T1);
    await store.save(b, settings(), T2);
    const first = await store.listAfter(a - 1, 2);
    expect(first.map((r) => r.accountId)).toStrictEqual([a, b]);
    expect(first[1]).toStrictEqual({
      accountId: b,
      ...settings(),
      switchedOffBecause: null,
      updatedAt: T2,
    });
    const next = await store.listAfter(b, 2);
    expect(next.map((r) => r.accountId).filter((id) => ids.includes(id))).toStrictEqual([c]);
    expect(await store.listAfter(a - 1, 0)).toStrictEqual([]);
  });
});
