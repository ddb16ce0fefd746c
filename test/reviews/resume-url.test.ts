import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { pullRequestUrlOn } from "../../src/github/pull-request-url.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { acceptReviewOn, claimPendingRun } from "../support/runs.js";

const acme = toAccountId(9001);
const HEAD = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
const pr = { repositoryId: 501, repository: "Acme-Corp/widgets", number: 12 };

describe("pull request links", () => {
  it("are built on the configured web host, GitHub Enterprise included", () => {
    expect(pullRequestUrlOn("https://github.com")("Acme-Corp/widgets", 12)).toBe(
      "https://github.com/Acme-Corp/widgets/pull/12",
    );
    expect(pullRequestUrlOn("https://ghe.acme.test/")("Acme-Corp/widgets", 12)).toBe(
      "https://ghe.acme.test/Acme-Corp/widgets/pull/12",
    );
  });

  it("a run the sweeper resumes is charged with the link it was given", async () => {
    const store = createMemoryStore();
    const ledger = new Ledger({ store: store.ledger, freePerMonth: 3 });
    const accept = acceptReviewOn(store, ledger, {
      pullRequestUrl: pullRequestUrlOn("https://ghe.acme.test"),
    });
    // What a crash between claiming a run and charging it leaves behind.
    const run = await claimPendingRun(store, acme, pr, HEAD);

    expect((await accept.resume(run)).status).toBe("queued");
    const [usage] = await store.ledger.list(acme, { types: ["usage"], limit: 10 });
    expect(usage!.reference).toMatchObject({
      url: "https://ghe.acme.test/Acme-Corp/widgets/pull/12",
    });
  });
});
