import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import type { NewDelivery } from "../../src/deliveries/delivery-inbox.js";
import { storeFactories } from "../support/stores.js";

const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 12, minute));
const delivery = (overrides: Partial<NewDelivery> = {}): NewDelivery => ({
  id: randomUUID(),
  name: "pull_request",
  payload: { action: "opened", pull_request: { number: 12, labels: [], head: {} } },
  receivedAt: at(0),
  ...overrides,
});

describe.each(storeFactories())("delivery inbox contract: $name", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("records a delivery once, received, and hands out copies", async () => {
    const { deliveries: inbox } = await create();
    const input = delivery();
    expect(await inbox.record(input)).toEqual({ status: "recorded" });
    const found = await inbox.get(input.id);
    expect(found).toStrictEqual({
      ...input,
      status: "received",
      attempts: 0,
      finishedAt: null,
      error: null,
    });
    (found!.payload as { action: string }).action = "closed";
    expect((await inbox.get(input.id))!.payload).toEqual(input.payload);
    expect(await inbox.get("no-such-delivery")).toBeNull();
  });

  it("a second record of the same id (a redelivery) changes nothing and says what the first is", async () => {
    const { deliveries: inbox } = await create();
    const input = delivery();
    await inbox.record(input);
    const again = await inbox.record({ ...input, name: "issue_comment", receivedAt: at(5) });
    expect(again).toEqual({ status: "duplicate", existing: "received" });
    expect((await inbox.get(input.id))?.name).toBe("pull_request");
    await inbox.finish(input.id, "processed", at(1));
    expect(await inbox.record(input)).toEqual({ status: "duplicate", existing: "processed" });
  });

  it("lets exactly one of many concurrent records of the same id in", async () => {
    const { deliveries: inbox } = await create();
    const input = delivery();
    const results = await Promise.all(Array.from({ length: 10 }, () => inbox.record(input)));
    expect(results.filter((r) => r.status === "recorded")).toHaveLength(1);
  });

  it("counts attempts while received, and ends once: processed or failed with why", async () => {
    const { deliveries: inbox } = await create();
    const a = delivery();
    const b = delivery();
    await inbox.record(a);
    await inbox.record(b);
    expect((await inbox.startAttempt(a.id))?.attempts).toBe(1);
    expect((await inbox.startAttempt(a.id))?.attempts).toBe(2);
    await inbox.finish(a.id, "processed", at(3));
    // Finished: no more attempts, and a later finish changes nothing.
    expect(await inbox.startAttempt(a.id)).toBeNull();
    await inbox.finish(a.id, "failed", at(4), "late");
    expect(await inbox.get(a.id)).toMatchObject({
      status: "processed",
      attempts: 2,
      finishedAt: at(3),
      error: null,
    });
    await inbox.finish(b.id, "failed", at(4), "GitHub answered 502");
    expect(await inbox.get(b.id)).toMatchObject({ status: "failed", error: "GitHub answered 502" });
    expect(await inbox.startAttempt("no-such-delivery")).toBeNull();
  });

  it("reopens a failed delivery (redelivered), and only a failed one", async () => {
    const { deliveries: inbox } = await create();
    const [failed, done] = [delivery(), delivery()];
    await inbox.record(failed);
    await inbox.record(done);
    await inbox.startAttempt(failed.id);
    await inbox.finish(failed.id, "failed", at(1), "GitHub answered 502");
    await inbox.finish(done.id, "processed", at(1));
    expect(await inbox.reopen(failed.id)).toBe(true);
    expect(await inbox.get(failed.id)).toMatchObject({
      status: "received",
      attempts: 1,
      finishedAt: null,
      error: null,
    });
    expect(await inbox.reopen(failed.id)).toBe(false);
    expect(await inbox.reopen(done.id)).toBe(false);
    expect((await inbox.get(done.id))?.status).toBe("processed");
    expect(await inbox.reopen("no-such-delivery")).toBe(false);
  });

  it("lists the received deliveries older than a time, oldest first, paged", async () => {
    const { deliveries: inbox } = await create();
    const old = [3, 1, 2].map((minute) => delivery({ receivedAt: at(minute) }));
    const done = delivery({ receivedAt: at(0) });
    const recent = delivery({ receivedAt: at(30) });
    for (const d of [...old, done, recent]) await inbox.record(d);
    await inbox.finish(done.id, "processed", at(1));

    const first = await inbox.listUnprocessed(at(10), 2);
    expect(first.map((d) => d.receivedAt)).toEqual([at(1), at(2)]);
    const second = await inbox.listUnprocessed(at(10), 2, first.at(-1));
    expect(second.map((d) => d.receivedAt)).toEqual([at(3)]);
    expect(second[0]).toMatchObject({ id: old[0]!.id, name: "pull_request", status: "received" });
  });

  it("says which of these delivery ids it has recorded, whatever their status", async () => {
    const { deliveries: inbox } = await create();
    const [a, b] = [delivery(), delivery()];
    await inbox.record(a);
    await inbox.record(b);
    await inbox.finish(b.id, "failed", at(1), "gone");
    expect(await inbox.recordedDeliveries([a.id, b.id, "unknown"])).toEqual(new Set([a.id, b.id]));
    expect(await inbox.recordedDeliveries([])).toEqual(new Set());
    // An id is a value, never an operator.
    expect(await inbox.recordedDeliveries(['{"$ne":null}'])).toEqual(new Set());
  });
});
