import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import { nextPeriodStart } from "../../src/ledger/periods.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";
import { claimPendingRun } from "../support/runs.js";

const ADMIN_A = "admin-acme-corp";
const MEMBER_A = "member-acme-corp";
const url = (org = "Acme-Corp", query = "") =>
  `/api/v1/organizations/${org}/reviews/paused${query}`;

// Each harness holds Redis connections and queues: close what a test opened.
afterEach(closeHarnesses);

describe("paused reviews API", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });

  const get = (token: string, org?: string, query?: string) =>
    h.server.inject({ method: "GET", url: url(org, query), headers: h.auth(token) });
  /** A run of <repository>#<number> at <sha>, ended in `status` with `reason`. */
  async function endRun(
    accountId: AccountId,
    repository: string,
    number: number,
    sha: string,
    status: "paused" | "failed" | "queued",
    reason: string | null,
  ) {
    const pr = { repositoryId: repository.length * 1000 + number, repository, number };
    const run = await claimPendingRun(h.store, accountId, pr, sha);
    return (await h.store.runs.transition(accountId, run.runKey, ["pending"], status, {
      reason,
    }))!;
  }

  it("lists this month's stopped reviews newest first, with the pull request and why", async () => {
    const credits = await endRun(
      h.orgA.id,
      "Acme-Corp/api",
      3,
      "a".repeat(40),
      "paused",
      "insufficient_credits",
    );
    const repo = await endRun(
      h.orgA.id,
      "Acme-Corp/web",
      5,
      "b".repeat(40),
      "paused",
      "over_budget_repository",
    );
    const runs = await endRun(
      h.orgA.id,
      "Acme-Corp/web",
      6,
      "c".repeat(40),
      "paused",
      "over_budget_pull_request_runs",
    );
    // Not stopped: failed and queued runs are not in the list.
    await endRun(h.orgA.id, "Acme-Corp/api", 4, "d".repeat(40), "failed", "engine_error");
    await endRun(h.orgA.id, "Acme-Corp/api", 7, "e".repeat(40), "queued", null);

    const res = await get(h.keyA);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.organization).toBe("Acme-Corp");
    expect(body.since).toBe("2026-11-01T00:00:00.000Z");
    expect(body.reviews).toEqual([
      {
        repository: "Acme-Corp/web",
        number: 6,
        url: "https://github.com/Acme-Corp/web/pull/6",
        headSha: "c".repeat(40),
        why: "pull_request_runs",
        at: runs.updatedAt.toISOString(),
      },
      {
        repository: "Acme-Corp/web",
        number: 5,
        url: "https://github.com/Acme-Corp/web/pull/5",
        headSha: "b".repeat(40),
        why: "repository",
        at: repo.updatedAt.toISOString(),
      },
      {
        repository: "Acme-Corp/api",
        number: 3,
        url: "https://github.com/Acme-Corp/api/pull/3",
        headSha: "a".repeat(40),
        why: "balance",
        at: credits.updatedAt.toISOString(),
      },
    ]);
    // An admin's GitHub token reads it too, like the billing summary.
    expect((await get(ADMIN_A)).json().reviews).toHaveLength(3);

    const limited = await get(h.keyA, "Acme-Corp", "?limit=2");
    expect(limited.json().reviews.map((r: { number: number }) => r.number)).toEqual([6, 5]);
    for (const bad of ["?limit=0", "?limit=101", "?limit=x", "?since=2026-01-01"]) {
      expect([bad, (await get(h.keyA, "Acme-Corp", bad)).statusCode]).toEqual([bad, 400]);
    }

    // The next month starts with an empty list: the runs above were stopped last month.
    h.clock.set(nextPeriodStart(credits.updatedAt).toISOString());
    expect((await get(h.keyA)).json().reviews).toEqual([]);
  });

  it("keeps organizations apart, and answers 404 for an unknown organization", async () => {
    await endRun(h.orgB.id, "Globex/app", 1, "f".repeat(40), "paused", "over_budget_account");
    expect((await get(h.keyA)).json().reviews).toEqual([]);
    expect((await get(h.keyA, "Globex")).statusCode).toBe(404);
    expect((await get(ADMIN_A, "Globex")).statusCode).toBe(404);
    expect((await get(MEMBER_A)).statusCode).toBe(404);
    expect((await get(h.keyA, "no-such-org")).statusCode).toBe(404);
    const globex = (await get(h.keyB, "Globex")).json().reviews;
    expect(globex.map((r: { why: string; repository: string }) => [r.repository, r.why])).toEqual([
      ["Globex/app", "account"],
    ]);
  });
});
