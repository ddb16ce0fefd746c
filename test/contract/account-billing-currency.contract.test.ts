import { afterEach, describe, expect, it } from "@jest/globals";
import type { Store } from "../../src/store/store.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

describe.each(storeFactories())(
  "account billing currency contract: $name",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    const account = async (store: Store) => {
      const id = newAccountId();
      await store.accounts.upsert({ id, login: "Acme-Corp", type: "Organization" });
      return id;
    };

    it("is fixed once: a later currency never replaces it, and an upsert keeps it", async () => {
      const store = await create();
      const id = await account(store);
      expect((await store.accounts.get(id))!.billingCurrency).toBeUndefined();
      expect(await store.accounts.fixBillingCurrency(id, "eur")).toBe("eur");
      expect(await store.accounts.fixBillingCurrency(id, "usd")).toBe("eur");
      await store.accounts.upsert({ id, login: "acme-corp", type: "Organization" });
      const after = await store.accounts.get(id);
      expect(after!.billingCurrency).toBe("eur");
      expect(await store.accounts.fixBillingCurrency(newAccountId(), "eur")).toBeNull();
    });

    it("fixes exactly one of concurrent first payments' currencies, and every caller reads it", async () => {
      const store = await create();
      const id = await account(store);
      const answers = await Promise.all(
        ["gbp", "eur", "usd", "eur", "gbp", "usd"].map((c) =>
          store.accounts.fixBillingCurrency(id, c),
        ),
      );
      const fixed = (await store.accounts.get(id))!.billingCurrency;
      expect(["gbp", "eur", "usd"]).toContain(fixed);
      expect(answers).toEqual(Array(6).fill(fixed));
    });
  },
);
