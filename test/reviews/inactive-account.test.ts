import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { acceptReviewOn, claimPendingRun } from "../support/runs.js";

const acme = toAccountId(9001);
const HEAD = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
const pr = { repositoryId: 501, repository: "Acme-Corp/widgets", number: 12 };

describe("an account suspended or uninstalled after a run was claimed", () => {
  it.each(["suspended", "uninstalled"] as const)(
    "(%s) is not charged when the sweeper resumes the run: the run is skipped",
    async (status) => {
      const store = createMemoryStore();
      const ledger = new Ledger({ store: store.ledger, freePerMonth: 3 });
      await store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
      await ledger.ensureFreeTier(acme);
      const queued: string[] = [];
      const accept = acceptReviewOn(store, ledger, {
        enqueueReview: async (_job, runKey) => void queued.push(runKey),
      });
      // Claimed while active; then the app was suspended or removed before it was paid.
      const run = await claimPendingRun(store, acme, pr, HEAD);
      await store.accounts.setStatus(acme, status);

      expect(await accept.resume(run)).toEqual({ status: "skipped", reason: "account_inactive" });
      expect(await store.runs.get(acme, run.runKey)).toMatchObject({
        status: "skipped",
        reason: `account_${status}`,
        chargeKey: null,
      });
      expect(await store.ledger.list(acme, { types: ["usage"], limit: 10 })).toEqual([]);
      expect(queued).toEqual([]);
      expect((await ledger.summary(acme)).balance).toBe(3);
    },
  );
});
