import { describe, expect, it } from "@jest/globals";
import type { BudgetWarning } from "../../src/ledger/month-use.js";
import { alertJobId, budgetWarningJobId } from "../../src/notifications/alert-job.js";
import { createBudgetWarningEnqueuer } from "../../src/notifications/enqueue-budget-warnings.js";
import { eventually } from "../support/harness.js";
import { captureLog } from "../support/log-capture.js";
import {
  acme,
  contacts,
  log,
  pipelinePerTest,
  startNotificationPipeline,
  type PipelineOptions,
} from "../support/notification-pipeline.js";

const repository: BudgetWarning = {
  id: "repository:acme-corp/api.js",
  budget: "repository",
  cap: 40,
  used: 32,
};
const author: BudgetWarning = { id: "author:octo-cat", budget: "author", cap: 10, used: 8 };

/** The budget-warning enqueuer in front of the notifications queue, worker and SMTP sink. */
async function setup(options: PipelineOptions = {}) {
  const pipeline = await startNotificationPipeline(options);
  const warnBudgets = createBudgetWarningEnqueuer(pipeline.producer.enqueueBudgetWarning, log);
  return { ...pipeline, warnBudgets };
}

describe("budget warnings", () => {
  const pipelines = pipelinePerTest(setup);

  it("emails each warning once to all the billing contacts", async () => {
    const t = await pipelines.start();
    await t.warnBudgets(acme, "2026-12", [repository, author]);

    await eventually(() => t.received.length >= 2);
    await t.settled();
    expect(t.received).toHaveLength(2);
    for (const m of t.received) expect([...m.to].sort()).toEqual(contacts);
    const subjects = t.received.map((m) => m.subject).sort((a, b) => a.localeCompare(b));
    expect(subjects).toEqual([
      "Jasper: acme-corp's budget for the `api.js` repository is 80% used (32/40 credits, December 2026)",
      "Jasper: octo-cat's monthly review budget at acme-corp is 80% used (8/10 credits, December 2026)",
    ]);
    expect(t.received[0]!.body).toContain("https://jasper.test/billing/budgets");
    // The id keeps the repository's "/" and "." readable, and no ":" (BullMQ refuses it).
    const job = await t.queue.getJob(budgetWarningJobId(acme, "2026-12", repository.id));
    expect(job?.id).toBe("budget-warning-4242-2026-12-repository%3Aacme-corp%2Fapi.js");
    expect(await job?.getState()).toBe("completed");
  });

  it("the same warning queued twice sends one email; another month's is its own", async () => {
    const t = await pipelines.start();
    await t.warnBudgets(acme, "2026-12", [repository]);
    await t.warnBudgets(acme, "2026-12", [repository]);
    expect(await t.jobs()).toBe(1);
    await t.warnBudgets(acme, "2027-01", [repository]);
    expect(await t.jobs()).toBe(2);

    await eventually(() => t.received.length >= 2);
    await t.settled();
    expect(t.received).toHaveLength(2);
    expect(t.received.filter((m) => m.subject.includes("December 2026"))).toHaveLength(1);
    expect(t.received.filter((m) => m.subject.includes("January 2027"))).toHaveLength(1);
  });

  it("sends nothing to an account without contacts, or an unknown one", async () => {
    for (const options of [{ contacts: [] }, { account: false }] satisfies PipelineOptions[]) {
      const t = await pipelines.start(options);
      await t.warnBudgets(acme, "2026-12", [repository]);
      await t.settled();
      const jobs = await t.queue.getJobs(["completed", "failed"]);
      expect(jobs.map((j) => j.returnvalue)).toEqual(["skipped"]);
      expect(t.received).toEqual([]);
    }
  });

  it("is not muted by lowBalanceEmails: false, which is about the balance", async () => {
    const t = await pipelines.start({ lowBalanceEmails: false });
    await t.warnBudgets(acme, "2026-12", [repository]);
    await eventually(() => t.received.length >= 1);
    await t.settled();
    expect(t.received).toHaveLength(1);
  });

  it("queues nothing for no warnings", async () => {
    const t = await pipelines.start();
    await t.warnBudgets(acme, "2026-12", []);
    expect(await t.jobs()).toBe(0);
  });

  it("never throws when the job cannot be queued: it logs at error", async () => {
    const capture = captureLog();
    const warnBudgets = createBudgetWarningEnqueuer(
      () => Promise.reject(new Error("Redis is gone")),
      capture.log,
    );
    await expect(warnBudgets(acme, "2026-12", [repository])).resolves.toBeUndefined();
    const never = createBudgetWarningEnqueuer(() => new Promise<void>(() => {}), capture.log, {
      timeoutMs: 50,
    });
    await expect(never(acme, "2026-12", [author])).resolves.toBeUndefined();
    const lines = capture
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { level: number; msg: string; budgets: string[] });
    expect(lines.map((l) => [l.level, l.msg, l.budgets])).toEqual([
      [50, "budget warning not queued", [repository.id]],
      [50, "budget warning not queued", [author.id]],
    ]);
  });

  it("an alert job queued before budget warnings (no kind) still sends its email", async () => {
    const t = await pipelines.start();
    const old = { accountId: acme, entryId: "entry-1", level: "warning", balance: 10 };
    await t.queue.add("warning", old, { jobId: alertJobId(acme, "entry-1", "warning") });

    await eventually(() => t.received.length >= 1);
    await t.settled();
    expect(t.received).toHaveLength(1);
    expect(t.received[0]!.subject).toBe("Jasper: acme-corp has 10 credits left");
  });

  it("fails a budget warning it cannot read at once, without retries", async () => {
    const t = await pipelines.start();
    const failed = await t.addAndAwaitFailure("budget_warning", {
      kind: "budget_warning",
      accountId: acme,
      period: "December",
      warning: repository,
    });
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toContain("invalid notification job");
    expect(t.received).toEqual([]);
  });
});
