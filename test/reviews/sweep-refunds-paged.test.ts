import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { FinishRun } from "../../src/reviews/finish-run.js";
import { createSweeper } from "../../src/reviews/sweep-runs.js";
import type { ReviewRun } from "../../src/reviews/types.js";
import { MemoryReviewRunStore } from "../../src/store/memory/memory-review-stores.js";

const PR = { repositoryId: 7, repository: "Acme-Corp/app", number: 3 };

describe("the sweep's runs whose refund is due", () => {
  it("pages past runs left due, so those behind a full page are settled in the same sweep", async () => {
    const runs = new MemoryReviewRunStore();
    const account = toAccountId(5);
    for (let attempt = 0; attempt < 5; attempt++) {
      const runKey = `7:3:sha:${attempt}`;
      await runs.claim({
        accountId: account,
        runKey,
        headSha: "sha",
        attempt,
        installationId: 42,
        status: "queued",
        chargeKey: `c-${attempt}`,
        incremental: false,
        reason: null,
        sequence: attempt,
        commentId: null,
        pr: PR,
      });
      await runs.transition(account, runKey, ["queued"], "failed", { refundDue: true });
    }
    // The three oldest still wait on an unpaid sibling: they stay due, filling the first page.
    const settled: string[] = [];
    const settle = async (run: ReviewRun) => {
      if (run.attempt < 3) return "waiting" as const;
      settled.push(run.runKey);
      await runs.settleRefund(run.accountId, run.runKey);
      return "refunded" as const;
    };
    const finishRun = Object.assign(async () => null, { settle }) as unknown as FinishRun;
    const sweep = createSweeper({
      runs,
      finishRun,
      acceptReview: {
        resume: async () => {
          throw new Error("no run here is pending");
        },
      },
      reviewJobState: async () => "missing",
      enqueueReview: async () => undefined,
    });
    const report = await sweep(new Date(0), { pageSize: 2 });
    expect(settled).toEqual(["7:3:sha:3", "7:3:sha:4"]);
    expect(report).toMatchObject({ settled: 2, errors: 0 });
  });
});
