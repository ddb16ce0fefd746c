import { describe, expect, it } from "@jest/globals";
import type { NewDelivery } from "../../src/deliveries/delivery-inbox.js";
import { createProcessDelivery } from "../../src/deliveries/process-delivery.js";
import { createDeliverySweep } from "../../src/deliveries/sweep-deliveries.js";
import { MemoryDeliveryInbox } from "../../src/store/memory/memory-delivery-inbox.js";

const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 12, minute));
const delivery = (id: string, minute = 0): NewDelivery => ({
  id,
  name: "pull_request",
  payload: { action: "opened" },
  receivedAt: at(minute),
});

describe("processing a recorded delivery", () => {
  it("handles it once: processed, and a second job for it is skipped", async () => {
    const inbox = new MemoryDeliveryInbox();
    await inbox.record(delivery("d-1"));
    const handled: string[] = [];
    const process = createProcessDelivery({
      inbox,
      handle: async (d) => void handled.push(d.id),
      now: () => at(1),
    });
    expect(await process({ deliveryId: "d-1" }, { finalAttempt: false })).toBe("processed");
    expect(await process({ deliveryId: "d-1" }, { finalAttempt: false })).toBe("skipped");
    expect(await process({ deliveryId: "unknown" }, { finalAttempt: false })).toBe("skipped");
    expect(handled).toEqual(["d-1"]);
    expect(await inbox.get("d-1")).toMatchObject({
      status: "processed",
      attempts: 1,
      finishedAt: at(1),
    });
  });

  it("a failure is retried while attempts remain, and marked failed with why on the last", async () => {
    const inbox = new MemoryDeliveryInbox();
    await inbox.record(delivery("d-2"));
    const told: unknown[] = [];
    const process = createProcessDelivery({
      inbox,
      handle: async () => {
        throw new AggregateError([new Error("GitHub answered 502")]);
      },
      onFailed: (d, error) => void told.push({ id: d.id, name: d.name, error }),
      now: () => at(2),
    });
    await expect(process({ deliveryId: "d-2" }, { finalAttempt: false })).rejects.toThrow();
    expect(await inbox.get("d-2")).toMatchObject({ status: "received", attempts: 1 });
    await expect(process({ deliveryId: "d-2" }, { finalAttempt: true })).rejects.toThrow();
    expect(await inbox.get("d-2")).toMatchObject({
      status: "failed",
      attempts: 2,
      error: "GitHub answered 502",
    });
    // Told once, on the last attempt only.
    expect(told).toEqual([{ id: "d-2", name: "pull_request", error: "GitHub answered 502" }]);
  });
});

describe("the deliveries' sweep", () => {
  it("queues again what lost its job, marks failed what failed for good, leaves the rest", async () => {
    const inbox = new MemoryDeliveryInbox();
    const states: Record<string, string> = {
      lost: "missing",
      dead: "failed",
      waiting: "prioritized",
      running: "active",
    };
    for (const [i, id] of Object.keys(states).entries()) await inbox.record(delivery(id, i));
    await inbox.record(delivery("too-recent", 30));
    await inbox.record(delivery("done", 0));
    await inbox.finish("done", "processed", at(1));
    const queued: string[] = [];
    const told: unknown[] = [];
    const sweep = createDeliverySweep({
      inbox,
      deliveryJobState: async (id) => states[id] ?? "missing",
      enqueueDelivery: async (job) => void queued.push(job.deliveryId),
      onFailed: (d, error) => void told.push({ id: d.id, name: d.name, error }),
      now: () => at(40),
    });
    // Paged by one: every page is read, none twice.
    expect(await sweep(at(10), { pageSize: 1 })).toEqual({ requeued: 1, failed: 1 });
    // The delivery it failed is told, as the worker's last attempt would (issue 18).
    const dead = { id: "dead", name: "pull_request", error: "the delivery worker stopped" };
    expect(told).toEqual([dead]);
    expect(queued).toEqual(["lost"]);
    expect(await inbox.get("dead")).toMatchObject({
      status: "failed",
      error: "the delivery worker stopped",
    });
    expect((await inbox.get("too-recent"))?.status).toBe("received");
    // A second sweep no longer lists the failed one: told once.
    expect((await sweep(at(10), { pageSize: 1 })).failed).toBe(0);
    expect(told).toEqual([dead]);
  });
});

describe("the deliveries' sweep told of a failure that throws", () => {
  it("still marks every dead delivery failed", async () => {
    const inbox = new MemoryDeliveryInbox();
    await inbox.record(delivery("dead-1", 0));
    await inbox.record(delivery("dead-2", 1));
    const told: string[] = [];
    const sweep = createDeliverySweep({
      inbox,
      deliveryJobState: async () => "failed",
      enqueueDelivery: async () => {},
      onFailed: (d) => {
        told.push(d.id);
        throw new Error("the database is down");
      },
      now: () => at(40),
    });
    expect(await sweep(at(10))).toEqual({ requeued: 0, failed: 2 });
    expect(told).toEqual(["dead-1", "dead-2"]);
    expect((await inbox.get("dead-2"))?.status).toBe("failed");
  });
});
