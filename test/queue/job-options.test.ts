import { describe, expect, it } from "@jest/globals";
import { jobOptions } from "../../src/queue/job-options.js";
import { QUEUE, QUEUES, type QueueName } from "../../src/queue/queues.js";

const names = Object.keys(QUEUES) as QueueName[];

describe("the queue map", () => {
  it("declares every queue under its own name", () => {
    expect(names.sort()).toEqual([
      "deliveries",
      "maintenance",
      "notifications",
      "replies",
      "reviews",
    ]);
    for (const name of names) {
      expect(QUEUES[name].name).toBe(name);
      expect(QUEUE[name]).toBe(name);
    }
  });

  it.each(names)("%s: defaults come from the map as they are", (name) => {
    expect(jobOptions(name)).toEqual(QUEUES[name].jobOptions);
    expect(jobOptions(name, {})).toEqual(QUEUES[name].jobOptions);
  });

  it.each(names)("%s: retryDelayMs replaces only the backoff", (name) => {
    expect(jobOptions(name, { retryDelayMs: 50 })).toEqual({
      ...QUEUES[name].jobOptions,
      backoff: { type: "exponential", delay: 50 },
    });
  });

  it("keeps the production defaults", () => {
    expect(jobOptions("reviews")).toMatchObject({
      attempts: 4,
      backoff: { type: "exponential", delay: 10_000 },
    });
    expect(jobOptions("replies")).toMatchObject({
      attempts: 5,
      backoff: { type: "exponential", delay: 5_000 },
    });
    expect(jobOptions("notifications")).toMatchObject({
      attempts: 8,
      backoff: { type: "exponential", delay: 30_000 },
    });
  });

  it("does not let one caller's overrides leak into the map", () => {
    jobOptions("reviews", { retryDelayMs: 1 });
    expect(QUEUES.reviews.jobOptions.backoff).toEqual({ type: "exponential", delay: 10_000 });
  });
});
