import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import { Queue } from "bullmq";
import { pino } from "pino";
import { applySubscriptionState, rollPlanMonths } from "../../src/billing/plan-months.js";
import { parsePlans, planCatalog } from "../../src/billing/plans.js";
import type { SubscriptionState } from "../../src/billing/subscription-store.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { QUEUE } from "../../src/queue/queues.js";
import { createRedis } from "../../src/queue/redis.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { startWorkers } from "../../src/worker/start-workers.js";
import { eventually, REDIS_URL } from "../support/harness.js";
import { makeLedger, newAccountId, reviewCharge, TestClock } from "../support/ledger-fixture.js";

const log = pino({ level: "silent" });

const subscription = (over: Partial<SubscriptionState>): SubscriptionState => ({
  accountId: newAccountId(),
  customerId: "cus_1",
  subscriptionId: `sub_${randomUUID().slice(0, 8)}`,
  plan: "pro",
  interval: "year",
  status: "active",
  currentPeriodStart: new Date("2026-11-20T09:00:00Z"),
  currentPeriodEnd: new Date("2027-11-20T09:00:00Z"),
  cancelAtPeriodEnd: false,
  updatedAt: new Date("2026-11-20T09:00:01Z"),
  ...over,
});

/**
 * The plan month roll runs on the scheduled sweep (the maintenance queue's job scheduler): a
 * paid subscription's months after its period's first are granted, and an ended month's credits expired, with no Stripe
 * event and no read of the account. The clock is injected; the sweep runs every 100 ms.
 */
describe("the sweep rolls plan months", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** Workers sweeping every 100 ms; the roll is `roll` when given, else the real one. */
  async function start(clock: TestClock, roll?: () => Promise<number>) {
    const store = createMemoryStore();
    const { ledger } = makeLedger(store, clock, 0);
    const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
    const connection = createRedis(REDIS_URL, "worker");
    const redis = createRedis(REDIS_URL, "producer");
    const maintenance = new Queue(QUEUE.maintenance, { connection: redis, prefix });
    cleanup.push(
      () => Promise.all([redis.quit(), connection.quit()]),
      () => maintenance.close(),
      () => maintenance.obliterate({ force: true }),
      () => store.close(),
    );
    const deps = {
      ledger,
      subscriptions: store.subscriptions,
      plans: planCatalog(parsePlans(undefined), 0),
      now: clock.now,
    };
    const workers = startWorkers({
      connection,
      prefix,
      runReview: async () => "not_queued",
      postReply: async () => {},
      sendAlert: async () => "skipped",
      sendBudgetWarning: async () => "skipped",
      processDelivery: async () => "skipped",
      sweep: async () => ({ resumed: 0, requeued: 0, failed: 0, settled: 0, errors: 0 }),
      rollPlanMonths: roll ?? (() => rollPlanMonths(deps)),
      log,
      sweepEveryMs: 100,
    });
    cleanup.push(() => workers.close());
    /** Waits for the sweep to leave the account's newest entry as `check` wants it. */
    const swept = async (id: SubscriptionState["accountId"], check: (e: LedgerEntry) => boolean) =>
      eventually(async () => {
        const e = await store.ledger.latest(id);
        return e !== null && check(e);
      });
    /** The subscription's state with its paid invoice, as invoice.paid applies it. */
    const paidFor = (s: SubscriptionState) =>
      applySubscriptionState(deps, s, { invoicePaid: true });
    return { store, ledger, swept, paidFor, maintenance };
  }

  it("grants each month of an annual plan and expires the month before, across a month and a year boundary", async () => {
    const clock = new TestClock(new Date("2026-11-25T12:00:00Z"));
    const { store, ledger, swept, paidFor } = await start(clock);
    const s = subscription({});
    // The first month comes with the period's paid invoice; the sweep grants the later ones.
    await paidFor(s);
    const plan = (e: LedgerEntry) => e.type === "plan" && e.bucketsAfter.plan === 200;

    await swept(s.accountId, plan);
    expect((await store.ledger.latest(s.accountId))?.planExpiresAt).toEqual(
      new Date("2026-12-20T09:00:00Z"),
    );
    await ledger.charge(s.accountId, reviewCharge("c1"));
    // Past the first month's end: 199 left expire, the second month (to 20 January) comes.
    clock.set("2026-12-21T00:00:00Z");
    await swept(
      s.accountId,
      (e) => plan(e) && e.planExpiresAt?.getTime() === Date.parse("2027-01-20T09:00:00Z"),
    );
    // Across the year: the third month, 20 January to 20 February 2027.
    clock.set("2027-01-21T00:00:00Z");
    await swept(
      s.accountId,
      (e) => plan(e) && e.planExpiresAt?.getTime() === Date.parse("2027-02-20T09:00:00Z"),
    );

    const entries = (await ledger.list(s.accountId, { types: ["plan", "expiration"] })).entries;
    expect(entries.reverse().map((e) => [e.type, e.amount])).toEqual([
      ["plan", 200],
      ["expiration", -199],
      ["plan", 200],
      ["expiration", -200],
      ["plan", 200],
    ]);
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });

  it("expires the ended month of a subscription whose renewal is unpaid, and grants it nothing", async () => {
    const clock = new TestClock(new Date("2026-11-25T12:00:00Z"));
    const { store, swept, paidFor } = await start(clock);
    const s = subscription({
      interval: "month",
      currentPeriodEnd: new Date("2026-12-20T09:00:00Z"),
    });
    await paidFor(s);
    await swept(s.accountId, (e) => e.type === "plan" && e.bucketsAfter.plan === 200);
    // The renewal failed: Stripe retries it, and the month's credits end with the month.
    await store.subscriptions.put({
      ...s,
      status: "past_due",
      currentPeriodStart: new Date("2026-12-20T09:00:00Z"),
      currentPeriodEnd: new Date("2027-01-20T09:00:00Z"),
      updatedAt: new Date("2026-12-20T09:00:05Z"),
    });
    clock.set("2026-12-20T09:00:10Z");
    await swept(s.accountId, (e) => e.bucketsAfter.plan === 0 && e.planExpiresAt === null);
    const entries = await store.ledger.list(s.accountId, {
      types: ["plan", "expiration"],
      limit: 10,
    });
    expect(entries.reverse().map((e) => [e.type, e.amount])).toEqual([
      ["plan", 200],
      ["expiration", -200],
    ]);
  });

  it("a roll that fails is logged and leaves the runs' sweep done; the next sweep rolls again", async () => {
    let rolls = 0;
    const { maintenance } = await start(new TestClock(), async () => {
      rolls++;
      throw new Error("the database is down");
    });
    await eventually(async () => rolls >= 2);
    await eventually(
      async () => ((await maintenance.getJobCounts("completed")).completed ?? 0) >= 2,
    );
    expect((await maintenance.getJobCounts("failed")).failed ?? 0).toBe(0);
  });
});
