import { describe, expect, it } from "@jest/globals";
import { ACME, ADMIN, autoTopUpWorld } from "../support/auto-top-up-admin.js";
import { saveCard } from "../support/top-up-fixtures.js";

/**
 * The card removed right after an admin's change saved auto top-up on: the removal switches it
 * off itself, so the change's own switch-off finds nothing on. The answer must still say what
 * is stored (off, the card removed), not what the change saved; found by mutation testing
 * (2026-12-07), when the answer kept the saved record. The audit's "after" stays "on": this
 * change did store that, and the removal audits its own switch-off.
 */
describe("auto top-up switched on as its card is removed, the removal landing after the save", () => {
  it("answers that it is off because the card was removed, as stored", async () => {
    const on = {
      enabled: true,
      packageId: "growth",
      thresholdCredits: 20,
      monthlyMaxCount: 2,
      monthlyMaxCents: 24_500,
    };
    const w = autoTopUpWorld(({ store, clock }) => ({
      store: {
        find: (id) => store.autoTopUp.find(id),
        switchOff: (id, because, at) => store.autoTopUp.switchOff(id, because, at),
        save: async (id, settings, at) => {
          const saved = await store.autoTopUp.save(id, settings, at);
          // The removal as payment-method.ts makes it: the card forgotten, then its
          // switch-off, which finds this change's record on and turns it off.
          await store.stripeCustomers.removePaymentMethod(id, "pm_1Visa9001");
          expect(await store.autoTopUp.switchOff(id, "card_removed", clock.now())).not.toBeNull();
          return saved;
        },
      },
    }));
    await saveCard(w.store, ACME, "cus_TAcme4242", w.clock.now());

    const result = await w.settings.change(ACME, ADMIN, on);
    const off = { ...on, enabled: false, switchedOffBecause: "card_removed" };
    expect(await w.store.autoTopUp.find(ACME)).toMatchObject(off);
    expect(result).toMatchObject({ status: "changed", view: { ...off, paymentMethod: null } });
  });
});
