import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import { Queue } from "bullmq";
import { pino } from "pino";
import { Ledger } from "../../src/ledger/ledger.js";
import { toAccountId, type AccountId } from "../../src/accounts/types.js";
import { alertJobId } from "../../src/notifications/alert-job.js";
import { createAlertEnqueuer } from "../../src/notifications/enqueue-alerts.js";
import { createMailer } from "../../src/notifications/mailer.js";
import { createSendAlert } from "../../src/notifications/send-alert.js";
import { startNotificationWorker } from "../../src/worker/start-notification-worker.js";
import { createProducer } from "../../src/queue/producer.js";
import { QUEUE } from "../../src/queue/queues.js";
import { createRedis } from "../../src/queue/redis.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { eventually, REDIS_URL } from "../support/harness.js";
import { purchase, reviewCharge } from "../support/ledger-fixture.js";
import { startSmtpSink } from "../support/smtp-sink.js";

const acme = toAccountId(4242);
const contacts = ["billing@acme.test", "cto@acme.test"];
const log = pino({ level: "silent" });

interface Setup {
  contacts?: string[];
  lowBalanceEmails?: boolean;
  /** Whether the account exists at all. */
  account?: boolean;
  /** Start with the SMTP server down (its port free, nothing listening). */
  smtpDown?: boolean;
}

/** Everything from the ledger to a real SMTP server, on a Redis prefix of its own. */
async function setup(options: Setup = {}) {
  const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
  const store = createMemoryStore();
  if (options.account !== false) {
    await store.accounts.upsert({ id: acme, login: "acme-corp", type: "Organization" });
    await store.accounts.updateSettings(acme, {
      billingContacts: options.contacts ?? contacts,
      lowBalanceEmails: options.lowBalanceEmails ?? true,
    });
  }
  let sink = await startSmtpSink();
  const received = sink.received;
  if (options.smtpDown) await sink.close();
  let sinkUp = !options.smtpDown;

  const redis = createRedis(REDIS_URL, "producer");
  const workerRedis = createRedis(REDIS_URL, "worker");
  const queue = new Queue(QUEUE.notifications, { connection: redis, prefix });
  const producer = createProducer(redis, { prefix, reviewDelayMs: 0, retryDelayMs: 100 });
  const onEntry = createAlertEnqueuer(producer.enqueueAlert, log);
  const ledger = new Ledger({ store: store.ledger, freePerMonth: 0, onEntry });
  const mailer = createMailer(sink.url, "Jasper <jasper@localhost>");
  const worker = startNotificationWorker({
    connection: workerRedis,
    prefix,
    sendAlert: createSendAlert({
      accounts: store.accounts,
      mailer,
      publicUrl: "https://jasper.test",
    }),
    log,
  });

  let charges = 0;
  const t = {
    store,
    ledger,
    queue,
    onEntry,
    received,
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
    async jobs() {
      const c = await queue.getJobCounts();
      return Object.values(c).reduce((a, b) => a + b, 0);
    },
    /** Waits until no job is waiting, delayed or running. */
    async settled() {
      await eventually(async () => {
        const c = await queue.getJobCounts("waiting", "delayed", "active", "prioritized");
        return Object.values(c).every((n) => n === 0);
      });
    },
    async restartSmtp() {
      sink = await startSmtpSink(sink.port, received);
      sinkUp = true;
    },
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await producer.close();
      mailer.close();
      if (sinkUp) await sink.close();
      await Promise.all([redis.quit(), workerRedis.quit()]);
    },
  };
  return t;
}

type T = Awaited<ReturnType<typeof setup>>;

const sortedSubjects = (t: T) =>
  t.received.map((m) => m.subject).sort((a, b) => a.localeCompare(b));

describe("low-balance alerts", () => {
  let t: T | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("charging from 12 to 0 emails the contacts once per level: warning, critical, depleted", async () => {
    t = await setup();
    await t.grant(12);
    await t.chargeDownToZero();

    await eventually(() => t!.received.length >= 3);
    await t.settled();
    expect(t.received).toHaveLength(3);
    for (const m of t.received) expect([...m.to].sort()).toEqual(contacts);
    const find = (s: string) => t!.received.find((m) => m.subject.includes(s));
    expect(find("has 10 credits left")?.body).toContain("is down to 10 credits");
    expect(find("only 3 credits left")?.body).toContain("is down to 3 credits");
    const depleted = find("automatic reviews paused");
    expect(depleted?.body).toContain("is 0 credits");
    expect(depleted?.body).toContain("https://jasper.test/billing");
    for (const m of t.received) expect(m.subject).toContain("acme-corp");
  });

  it("buying credits re-arms the levels: a second run down sends three more", async () => {
    t = await setup();
    await t.grant(12);
    await t.chargeDownToZero();
    await eventually(() => t!.received.length >= 3);

    await t.grant(12);
    await t.chargeDownToZero();
    await eventually(() => t!.received.length >= 6);
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
    t = await setup();
    await t.grant(11);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => t!.charge()));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill("created"));
    expect((await t.ledger.summary(acme)).balance).toBe(6);

    await eventually(() => t!.received.length >= 1);
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
      t = await setup(options);
      await t.grant(4);
      await t.chargeDownToZero(); // crosses critical and depleted
      await t.settled();
      const jobs = await t.queue.getJobs(["completed", "failed"]);
      expect(jobs.map((j) => j.returnvalue)).toEqual(["skipped", "skipped"]);
      expect(t.received).toEqual([]);
      await t.close();
      t = undefined;
    }
  });

  it("a replayed charge, or the same entry reported twice, sends no second email", async () => {
    t = await setup();
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

    await eventually(() => t!.received.length >= 1);
    await t.settled();
    expect(t.received).toHaveLength(1);
  });

  it("fails a job it cannot read at once, without retries", async () => {
    t = await setup();
    const job = await t.queue.add(
      "warning",
      { accountId: "acme", level: "warning" },
      { attempts: 8 },
    );
    await eventually(async () => (await job.getState()) === "failed");
    const failed = await t.queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toContain("invalid alert job");
    expect(t.received).toEqual([]);
  });

  it("with SMTP down the charge still succeeds at once, and the email arrives once it is back", async () => {
    t = await setup({ smtpDown: true });
    await t.grant(11);
    const started = Date.now();
    const result = await t.charge();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.status).toBe("created");
    if (result.status !== "created") throw new Error("unreachable");

    const job = () => t!.queue.getJob(alertJobId(acme, result.entry.id, "warning"));
    await eventually(async () => ((await job())?.attemptsMade ?? 0) >= 1);
    expect(t.received).toEqual([]);

    await t.restartSmtp();
    await eventually(() => t!.received.length >= 1);
    expect(t.received[0]!.to.sort()).toEqual(contacts);
    expect(t.received[0]!.body).toContain("is down to 10 credits");
    await eventually(async () => (await (await job())?.getState()) === "completed");
  });
});
