import { describe, expect, it } from "@jest/globals";
import type { AutoTopUpSettings } from "../../src/billing/auto-top-up-store.js";
import { ACME, ADMIN, autoTopUpWorld } from "../support/auto-top-up-admin.js";
import { saveCard } from "../support/top-up-fixtures.js";

const first: AutoTopUpSettings = {
  enabled: true,
  packageId: "growth",
  thresholdCredits: 50,
  monthlyMaxCount: 2,
  monthlyMaxCents: 24_500,
};
const second: AutoTopUpSettings = {
  enabled: false,
  packageId: "scale",
  thresholdCredits: 0,
  monthlyMaxCount: 0,
  monthlyMaxCents: 0,
};

const changes = async (w: ReturnType<typeof autoTopUpWorld>) =>
  (await w.audit.list(ACME, { actions: ["auto_top_up_changed"] })).entries;

describe("auto top-up's changes in the audit log", () => {
  it("records each change with the settings before and after it, and nothing else of the record", async () => {
    const w = autoTopUpWorld();
    await saveCard(w.store, ACME, "cus_TAcme4242", w.clock.now());
    expect((await w.settings.change(ACME, ADMIN, first)).status).toBe("changed");
    w.clock.set("2026-12-08T09:00:00Z");
    expect((await w.settings.change(ACME, ADMIN, second)).status).toBe("changed");

    const [latest, earliest] = await changes(w);
    expect(earliest).toMatchObject({ actor: ADMIN.actor, interface: "api" });
    expect(earliest?.details).toEqual({ before: null, after: first });
    expect(latest?.details).toEqual({ before: first, after: second });
  });

  it("answers with what this change stored, as its audit entry does, when another admin's change lands right after", async () => {
    const w = autoTopUpWorld(({ store, clock }) => ({
      store: {
        find: (id) => store.autoTopUp.find(id),
        switchOff: (id, because, at) => store.autoTopUp.switchOff(id, because, at),
        save: async (id, settings, at) => {
          const ours = await store.autoTopUp.save(id, settings, at);
          await store.autoTopUp.save(id, second, clock.now());
          return ours;
        },
      },
    }));
    await saveCard(w.store, ACME, "cus_TAcme4242", w.clock.now());

    const result = await w.settings.change(ACME, ADMIN, first);
    expect(result).toMatchObject({ status: "changed", view: first });
    const [entry] = await changes(w);
    expect(entry?.details).toEqual({ before: null, after: first });
    // The other change, landed last, is what stays.
    expect(await w.store.autoTopUp.find(ACME)).toMatchObject(second);
  });
});
