import { afterEach, describe, expect, it } from "@jest/globals";
import type { PullRequestRef } from "../../src/reviews/types.js";
import { EXIT } from "../../src/cli/admin-commands.js";
import { adminCli } from "../support/admin-cli.js";
import { closeHarnesses, createApiHarness } from "../support/harness.js";
import { claimPendingRun } from "../support/runs.js";

afterEach(closeHarnesses);

const SHA = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
const pr = (repository: string): PullRequestRef => ({ repositoryId: 7, repository, number: 3 });

describe("an operator's sweep of one account", () => {
  it("resumes that account's unfinished runs and leaves every other account's alone", async () => {
    const h = await createApiHarness();
    const mine = await claimPendingRun(h.store, h.orgA.id, pr("Acme-Corp/app"), SHA);
    const theirs = await claimPendingRun(h.store, h.orgB.id, pr("Globex/app"), SHA);
    const { admin, out } = adminCli(h);

    // Just claimed: not stale by the worker's 15 minutes, so nothing is touched.
    expect(await admin("sweep", "Acme-Corp")).toBe(EXIT.ok);
    expect(out.at(-1)).toMatch(/0 resumed/);
    expect(await admin("sweep", "Acme-Corp", "--stale-minutes=-1")).toBe(EXIT.usage);

    expect(await admin("sweep", "Acme-Corp", "--stale-minutes", "0")).toBe(EXIT.ok);
    expect(out.at(-1)).toMatch(/^swept Acme-Corp: 1 resumed/);
    expect((await h.store.runs.get(h.orgA.id, mine.runKey))?.status).toBe("queued");
    expect((await h.store.runs.get(h.orgB.id, theirs.runKey))?.status).toBe("pending");
    // Its charge is the ledger's, as any resumed run's.
    expect((await h.ledger.summary(h.orgA.id)).balance).toBe(2);
    expect((await h.ledger.summary(h.orgB.id)).balance).toBe(3);
  });
});
