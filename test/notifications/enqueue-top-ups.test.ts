import { describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import { toAccountId } from "../../src/accounts/types.js";
import type { AutoTopUpRecord } from "../../src/billing/auto-top-up-store.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { autoTopUpJobId } from "../../src/notifications/alert-job.js";
import {
  createTopUpTrigger,
  crossedTopUpThreshold,
} from "../../src/notifications/enqueue-top-ups.js";
import type { AutoTopUpJob } from "../../src/notifications/jobs.js";
import { captureLog } from "../support/log-capture.js";

const acme = toAccountId(9001);
const on = { enabled: true, thresholdCredits: 10 };
const usage = (balanceAfter: number, amount = -1) => ({
  type: "usage" as const,
  amount,
  balanceAfter,
});

describe("the top-up trigger: a charge that crosses the threshold", () => {
  it.each([
    ["from above to the threshold", usage(10), on, true],
    ["from above to below it in one step", usage(5, -8), on, true],
    ["already at the threshold before", usage(9), on, false],
    ["still above it", usage(11), on, false],
    ["switched off", usage(10), { ...on, enabled: false }, false],
    ["never set up", usage(10), null, false],
    ["an operator's adjustment", { ...usage(10), type: "adjustment" as const }, on, false],
    ["an expiry", { ...usage(10), type: "expiration" as const }, on, false],
  ])("%s", (_what, entry, settings, crossed) => {
    expect(crossedTopUpThreshold(entry, settings)).toBe(crossed);
  });
  it("a threshold of 0: the charge that empties the balance", () => {
    expect(crossedTopUpThreshold(usage(0), { enabled: true, thresholdCredits: 0 })).toBe(true);
  });
});

describe("the ledger's onEntry part for top-ups", () => {
  const record = { ...on, accountId: acme } as AutoTopUpRecord;
  const entry = { ...usage(10), id: "e1", accountId: acme } as LedgerEntry;

  it("queues one job under the crossing's id, and reads nothing for grants", async () => {
    const queued: Array<[AutoTopUpJob, string]> = [];
    let reads = 0;
    const trigger = createTopUpTrigger({
      settings: { find: async () => (reads++, record) },
      enqueueTopUp: async (job, id) => void queued.push([job, id]),
      log: pino({ level: "silent" }),
    });
    await trigger(entry);
    await trigger({ ...entry, type: "purchase", amount: 100, balanceAfter: 110 });
    expect(queued).toStrictEqual([
      [{ kind: "auto_top_up", accountId: acme, entryId: "e1" }, autoTopUpJobId(acme, "e1")],
    ]);
    expect(reads).toBe(1);
  });

  it("never fails or holds the charge: a queue that fails or hangs is logged for the sweep", async () => {
    const logs = captureLog();
    const failing = createTopUpTrigger({
      settings: { find: async () => record },
      enqueueTopUp: async () => Promise.reject(new Error("Redis is down")),
      log: logs.log,
    });
    await expect(failing(entry)).resolves.toBeUndefined();
    const hanging = createTopUpTrigger({
      settings: { find: async () => record },
      enqueueTopUp: () => new Promise<void>(() => undefined),
      log: logs.log,
      timeoutMs: 20,
    });
    await expect(hanging(entry)).resolves.toBeUndefined();
    const lines = logs
      .text()
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(lines).toStrictEqual([
      "automatic top-up not queued: the sweep queues it",
      "automatic top-up not queued: the sweep queues it",
    ]);
  });
});
