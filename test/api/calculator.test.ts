import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

afterEach(closeHarnesses);

const URL = "/api/v1/billing/calculator";

describe("POST /billing/calculator", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });
  const ask = (payload: unknown, headers: Record<string, string> = {}) =>
    h.server.inject({ method: "POST", url: URL, payload: payload as object, headers });

  it("prices 10 pull requests a month with no sign-in: 7 credits, one Starter, in US dollars", async () => {
    const res = await ask({ pullRequestsPerMonth: 10 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      currency: "usd",
      pullRequestsPerMonth: 10,
      pushesPerPullRequest: 1,
      charging: "pull_request",
      reviewsPerMonth: 10,
      creditsPerMonth: 10,
      freeCredits: 3,
      creditsToBuy: 7,
      cheapest: { packages: [{ id: "starter", name: "Starter", count: 1 }], credits: 100 },
      monthlyCost: "30.00",
      monthlyCostCents: 3000,
      perReview: "3.00",
      options: [
        {
          id: "starter",
          name: "Starter",
          perReview: "0.30",
          count: 1,
          price: "30.00",
          priceCents: 3000,
        },
        {
          id: "growth",
          name: "Growth",
          perReview: "0.245",
          count: 1,
          price: "122.50",
          priceCents: 12250,
        },
        {
          id: "scale",
          name: "Scale",
          perReview: "0.198",
          count: 1,
          price: "396.00",
          priceCents: 39600,
        },
      ],
    });
  });

  it("600 pull requests, 2 runs each, charged per run: 2 Growth and 2 Starter, $305 a month", async () => {
    const res = await ask({
      pullRequestsPerMonth: 600,
      pushesPerPullRequest: 2,
      charging: "review_run",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      reviewsPerMonth: 1200,
      creditsToBuy: 1197,
      cheapest: {
        packages: [
          { id: "growth", count: 2 },
          { id: "starter", count: 2 },
        ],
        credits: 1200,
      },
      monthlyCost: "305.00",
      // 30,500 cents over 1,200 reviews.
      perReview: "0.2542",
    });
    expect(res.json().options.map((o: { price: string }) => o.price)).toEqual([
      "360.00",
      "367.50",
      "396.00",
    ]);
  });

  it("prices in the asked currency at the packages' own prices there, never a conversion", async () => {
    const res = await ask({ pullRequestsPerMonth: 1200, currency: "gbp" });
    expect(res.statusCode).toBe(200);
    const e = res.json();
    // 1,197 credits to buy. In pounds: Scale £317.00 (£0.1585 a credit) against 2 Growth and
    // 2 Starter at 2 × £98.00 + 2 × £24.00 = £244.00: the mix, as in dollars.
    expect(e.currency).toBe("gbp");
    expect(e.creditsToBuy).toBe(1197);
    expect(e.monthlyCostCents).toBe(24400);
    expect(e.monthlyCost).toBe("244.00");
    expect(e.options.map((o: { id: string; priceCents: number }) => [o.id, o.priceCents])).toEqual([
      ["starter", 12 * 2400],
      ["growth", 3 * 9800],
      ["scale", 31700],
    ]);
  });

  it("0 pull requests, and the free tier: $0", async () => {
    for (const prs of [0, 3]) {
      const body = (await ask({ pullRequestsPerMonth: prs })).json();
      expect(body).toMatchObject({
        creditsToBuy: 0,
        cheapest: { packages: [], credits: 0 },
        monthlyCost: "0.00",
        perReview: "0.00",
      });
    }
  });

  it("the largest workload accepted answers at once", async () => {
    const res = await ask({
      pullRequestsPerMonth: 100_000,
      pushesPerPullRequest: 1000,
      charging: "review_run",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      creditsToBuy: 99_999_997,
      cheapest: { packages: [{ id: "scale", count: 50_000 }] },
      monthlyCost: "19800000.00",
    });
  });

  it("needs no credential, and ignores one that would be refused elsewhere", async () => {
    const res = await ask({ pullRequestsPerMonth: 10 }, { authorization: "Bearer jsp_not_a_key" });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ["no body field", {}, "body.pullRequestsPerMonth"],
    ["a negative count", { pullRequestsPerMonth: -1 }, "body.pullRequestsPerMonth"],
    ["a fraction", { pullRequestsPerMonth: 1.5 }, "body.pullRequestsPerMonth"],
    ["a number as text", { pullRequestsPerMonth: "10" }, "body.pullRequestsPerMonth"],
    ["past 100,000", { pullRequestsPerMonth: 100_001 }, "body.pullRequestsPerMonth"],
    ["0 pushes", { pullRequestsPerMonth: 1, pushesPerPullRequest: 0 }, "body.pushesPerPullRequest"],
    [
      "past 1,000 pushes",
      { pullRequestsPerMonth: 1, pushesPerPullRequest: 1001 },
      "body.pushesPerPullRequest",
    ],
    ["an unknown charging", { pullRequestsPerMonth: 1, charging: "per_line" }, "body.charging"],
    ["an unknown field", { pullRequestsPerMonth: 1, region: "eu" }, "body"],
    ["an unknown currency", { pullRequestsPerMonth: 1, currency: "jpy" }, "body.currency"],
    ["an operator object", { pullRequestsPerMonth: { $gt: 0 } }, "body.pullRequestsPerMonth"],
  ])("refuses %s with a 400 in the API's error shape", async (_what, payload, path) => {
    const res = await ask(payload);
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe("invalid_request");
    expect(error.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it("refuses a body that is not JSON, or too large, without a 500", async () => {
    const bad = await h.server.inject({
      method: "POST",
      url: URL,
      payload: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("invalid_json");
    const big = await ask({ pullRequestsPerMonth: 1, padding: "x".repeat(2000) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe("payload_too_large");
  });
});

describe("the calculator's rate limit", () => {
  it("counts against the client's address like the other public route", async () => {
    const h = await createApiHarness({ apiRateLimit: { max: 3, timeWindowMs: 60_000 } });
    const ask = () =>
      h.server.inject({ method: "POST", url: URL, payload: { pullRequestsPerMonth: 1 } });
    for (let i = 0; i < 3; i++) expect((await ask()).statusCode).toBe(200);
    const limited = await ask();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe("rate_limited");
    expect(
      (await h.server.inject({ method: "GET", url: "/api/v1/billing/packages" })).statusCode,
    ).toBe(429);
  });
});
