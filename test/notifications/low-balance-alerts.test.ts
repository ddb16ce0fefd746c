import { randomUUID } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import { Ledger } from "../../src/ledger/ledger.js";
import type { AccountId } from "../../src/accounts/types.js";
import { alertJobId } from "../../src/notifications/alert-job.js";
import { createAlertEnqueuer } from "../../src/notifications/enqueue-alerts.js";
import { eventually } from "../support/harness.js";
import { purchase, reviewCharge } from "../support/ledger-fixture.js";
import {
  acme,
  contacts,
  log,
  pipelinePerTest,
  startNotificationPipeline,
  type PipelineOptions as Setup,
} from "../support/notification-pipeline.js";

/** Everything from the ledger to a real SMTP server, on a Redis prefix of its own. */
async function setup(options: Setup = {}) {
  const pipeline = await startNotificationPipeline(options);
  const onEntry = createAlertEnqueuer(pipeline.producer.enqueueAlert, log);
  const ledger = new Ledger({ store: pipeline.store.ledger, freePerMonth: 0, onEntry });

  let charges = 0;
  const t = {
    ...pipeline,
    ledger,
    onEntry,
    grant: (amount: number, id: AccountId = acme) =>
      ledger.grant(id, purchase(`buy-${randomUUID()}`, amount)),
    charge: (key = `pr-${++charges}`, id: AccountId = acme) => ledger.charge(id, reviewCharge(key)),
    async chargeDownToZero(id: AccountId = acme) {
      for (;;) {
        const r = await t.charge(undefined, id);
        if (r.status === "insufficient") return;
        expect(r.status).toBe("created");
      }
    },
  };
  return t;
}

type T = Awaited<ReturnType<typeof setup>>;

const sortedSubjects = (t: T) =>
  t.received.map((m) => m.subject).sort((a, b) => a.localeCompare(b));

describe("low-balance alerts", () => {
  const pipelines = pipelinePerTest(setup);

  it("charging from 12 to 0 emails the contacts once per level: warning, critical, depleted", async () => {
    const t = await pipelines.start();
    await t.grant(12);
    await t.chargeDownToZero();

    await eventually(() => t.received.length >= 3);
    await t.settled();
    expect(t.received).toHaveLength(3);
    for (const m of t.received) expect([...m.to].sort()).toEqual(contacts);
    const find = (s: string) => t.received.find((m) => m.subject.includes(s));
    expect(find("has 10 credits left")?.body).toContain("is down to 10 credits");
    expect(find("only 3 credits left")?.body).toContain("is down to 3 credits");
    const depleted = find("automatic reviews paused");
    expect(depleted?.body).toContain("is 0 credits");
    expect(depleted?.body).toContain("https://jasper.test/billing");
    for (const m of t.received) expect(m.subject).toContain("acme-corp");
  });

  it("buying credits re-arms the levels: a second run down sends three more", async () => {
    const t = await pipelines.start();
    await t.grant(12);
    await t.chargeDownToZero();
    await eventually(() => t.received.length >= 3);

    await t.grant(12);
    await t.chargeDownToZero();
    await eventually(() => t.received.length >= 6);
    await t.settled();
    expect(t.received).toHaveLength(6);
    expect(sortedSubjects(t)).toEqual(
      [
        "Jasper: acme-corp has 10 credits left",
        "Jasper: only 3 credits left for acme-corp",
        "Jasper: automatic reviews paused for acme-corp",
      ]
        .flatMap((s) => [s, s])
        .sort((a, b) => a.localeCompare(b)),
    );
  });

  it("concurrent charges crossing the same level send one email", async () => {
    const t = await pipelines.start();
    await t.grant(11);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => t.charge()));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill("created"));
    expect((await t.ledger.summary(acme)).balance).toBe(6);

    await eventually(() => t.received.length >= 1);
    await t.settled();
    expect(await t.jobs()).toBe(1);
    expect(t.received).toHaveLength(1);
    expect(t.received[0]!.subject).toBe("Jasper: acme-corp has 10 credits left");
  });

  it("sends nothing without contacts, with emails turned off, or for an unknown account", async () => {
    for (const options of [
      { contacts: [] },
      { lowBalanceEmails: false },
      { account: false },
    ] satisfies Setup[]) {
      const t = await pipelines.start(options);
      await t.grant(4);
      await t.chargeDownToZero(); // crosses critical and depleted
      await t.settled();
      const jobs = await t.queue.getJobs(["completed", "failed"]);
      expect(jobs.map((j) => j.returnvalue)).toEqual(["skipped", "skipped"]);
      expect(t.received).toEqual([]);
    }
  });

  it("a replayed charge, or the same entry reported twice, sends no second email", async () => {
    const t = await pipelines.start();
    await t.grant(11);
    const first = await t.charge("pr-77");
    expect(first.status).toBe("created");
    const replay = await t.charge("pr-77");
    expect(replay.status).toBe("replayed");
    expect(await t.jobs()).toBe(1);

    // Even if onEntry ran again for the same entry, the job id holds it to one job.
    if (first.status !== "created") throw new Error("unreachable");
    await t.onEntry(first.entry, ["warning"]);
    expect(await t.jobs()).toBe(1);

    await eventually(() => t.received.length >= 1);
    await t.settled();
    expect(t.received).toHaveLength(1);
  });

  it("fails a job it cannot read at once, without retries", async () => {
    const t = await pipelines.start();
    const failed = await t.addAndAwaitFailure("warning", { accountId: "acme", level: "warning" });
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toContain("invalid notification job");
    expect(t.received).toEqual([]);
  });

  it("with SMTP down the charge still succeeds at once, and the email arrives once it is back", async () => {
    const t = await pipelines.start({ smtpDown: true });
    await t.grant(11);
    const started = Date.now();
    const result = await t.charge();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.status).toBe("created");
    if (result.status !== "created") throw new Error("unreachable");

    const job = () => t.queue.getJob(alertJobId(acme, result.entry.id, "warning"));
    await eventually(async () => ((await job())?.attemptsMade ?? 0) >= 1);
    expect(t.received).toEqual([]);

    await t.restartSmtp();
    await eventually(() => t.received.length >= 1);
    expect(t.received[0]!.to.sort()).toEqual(contacts);
    expect(t.received[0]!.body).toContain("is down to 10 credits");
    await eventually(async () => (await (await job())?.getState()) === "completed");
  });
});
