import { describe, expect, it } from "@jest/globals";
import { ACME, ADMIN, autoTopUpWorld } from "../support/auto-top-up-admin.js";
import { saveCard } from "../support/top-up-fixtures.js";

/**
 * The card removed while an admin switches auto top-up on: the removal's own switch-off
 * finds the record still off, so the change must see the card gone and switch it off itself.
 */
describe("auto top-up switched on as its card is removed", () => {
  const on = {
    enabled: true,
    packageId: "growth",
    thresholdCredits: 20,
    monthlyMaxCount: 2,
    monthlyMaxCents: 24_500,
  };

  it("is left off, because the card was removed, when the removal lands between the check and the save", async () => {
    const w = autoTopUpWorld(({ store, clock }) => ({
      store: {
        find: (id) => store.autoTopUp.find(id),
        switchOff: (id, because, at) => store.autoTopUp.switchOff(id, because, at),
        save: async (id, settings, at) => {
          // The removal as payment-method.ts makes it: the card forgotten, then a
          // switch-off that finds nothing on.
          await store.stripeCustomers.removePaymentMethod(id, "pm_1Visa9001");
          expect(await store.autoTopUp.switchOff(id, "card_removed", clock.now())).toBeNull();
          return store.autoTopUp.save(id, settings, at);
        },
      },
    }));
    await saveCard(w.store, ACME, "cus_TAcme4242", w.clock.now());

    const result = await w.settings.change(ACME, ADMIN, on);
    const off = { ...on, enabled: false, switchedOffBecause: "card_removed" };
    expect(result).toMatchObject({ status: "changed", view: { ...off, paymentMethod: null } });
    expect(await w.store.autoTopUp.find(ACME)).toMatchObject(off);
    const [entry] = (await w.audit.list(ACME, { actions: ["auto_top_up_changed"] })).entries;
    expect(entry?.details).toEqual({ before: null, after: { ...on, enabled: false } });
  });
});
