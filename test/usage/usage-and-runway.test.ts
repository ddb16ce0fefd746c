import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { Ledger } from "../../src/ledger/ledger.js";
import { alertEmail } from "../../src/notifications/alert-email.js";
import { forecastRunway, runwayOf } from "../../src/usage/runway.js";
import { usageReport } from "../../src/usage/usage-report.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

afterEach(closeHarnesses);

let n = 0;
/** One charged review of `repo`#number, by `author` (none: an entry from before authors). */
async function review(ledger: Ledger, id: AccountId, repo: string, author?: string) {
  const key = `review-${++n}`;
  await ledger.charge(id, {
    action: "review",
    description: `Review of ${repo}#${n}`,
    reference: { kind: "pull_request", repository: repo, number: n, ...(author && { author }) },
    idempotencyKey: key,
  });
  return key;
}

describe("usage by repository and by author", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });

  /** October and November of Acme-Corp, and a little of Globex that must not show. */
  async function seed() {
    const id = h.orgA.id;
    h.clock.set("2026-10-05T10:00:00Z");
    await h.ledger.grant(id, {
      type: "purchase",
      amount: 100,
      description: "p",
      idempotencyKey: "p",
    });
    const old = await review(h.ledger, id, "acme/api"); // before authors were recorded
    await review(h.ledger, id, "acme/api", "alice");
    h.clock.set("2026-11-02T10:00:00Z");
    await h.ledger.refund(id, { chargeKey: old }); // an October charge refunded in November
    await review(h.ledger, id, "acme/api", "alice");
    await review(h.ledger, id, "acme/api", "bob");
    const failed = await review(h.ledger, id, "acme/web", "bob");
    await h.ledger.refund(id, { chargeKey: failed });
    await review(h.ledger, id, "acme/web", "carol");
    await review(h.ledger, id, "acme/web", "carol");
    await h.ledger.charge(id, { action: "review", description: "no PR", idempotencyKey: "bare" });
    await review(h.ledger, h.orgB.id, "globex/x", "alice");
    h.clock.set("2026-11-10T12:00:00Z");
  }

  const get = (query: string, headers: Record<string, string> = {}) =>
    h.server.inject({
      method: "GET",
      url: `/api/v1/organizations/Acme-Corp/billing/usage${query}`,
      headers: { ...h.auth(h.keyA), ...headers },
    });

  it("adds up to the ledger's own numbers, grouped by repository", async () => {
    await seed();
    const res = await get("");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ organization: "Acme-Corp", month: "2026-11", by: "repository" });
    expect(body.rows).toEqual([
      { key: "acme/web", reviews: 3, charged: 3, refunds: 1, refunded: 1, net: 2 },
      { key: "acme/api", reviews: 2, charged: 2, refunds: 1, refunded: 1, net: 1 },
      { key: "unknown", reviews: 1, charged: 1, refunds: 0, refunded: 0, net: 1 },
    ]);
    // The same as the billing summary's usage this month, and as the ledger's entries.
    const summary = await h.ledger.summary(h.orgA.id);
    expect(body.total.net).toBe(summary.usageThisMonth);
    const month = (await h.ledger.list(h.orgA.id, { from: new Date("2026-11-01"), limit: 100 }))
      .entries;
    const charged = -month.filter((e) => e.type === "usage").reduce((s, e) => s + e.amount, 0);
    const refunded = month.filter((e) => e.type === "refund").reduce((s, e) => s + e.amount, 0);
    expect(body.total).toEqual({ reviews: 6, charged, refunds: 2, refunded, net: 4 });
  });

  it("keeps a renamed repository in one row, under the newest name it was charged under", async () => {
    const id = h.orgA.id;
    await h.ledger.grant(id, {
      type: "purchase",
      amount: 10,
      description: "p",
      idempotencyKey: "p",
    });
    const byId = (key: string, repository: string, number: number) =>
      h.ledger.charge(id, {
        action: "review",
        description: `Review of ${repository}#${number}`,
        reference: { kind: "pull_request", repository, repositoryId: 77, number },
        idempotencyKey: key,
      });
    // Charged by name before ids were kept, then by id under that name, then renamed.
    const legacy = await review(h.ledger, id, "acme/old");
    await byId("a", "acme/old", 1);
    await byId("b", "acme/new", 2);
    await h.ledger.refund(id, { chargeKey: legacy });
    await review(h.ledger, id, "acme/web");
    const rows = (await get("?sort=key")).json().rows;
    expect(rows).toEqual([
      { key: "acme/new", reviews: 3, charged: 3, refunds: 1, refunded: 1, net: 2 },
      { key: "acme/web", reviews: 1, charged: 1, refunds: 0, refunded: 0, net: 1 },
    ]);
  });

  it("groups by author, older entries as unknown; the previous month; sorted; as CSV", async () => {
    await seed();
    const byAuthor = (await get("?by=author&sort=key")).json();
    expect(byAuthor.rows.map((r: { key: string; net: number }) => [r.key, r.net])).toEqual([
      ["alice", 1],
      ["bob", 1],
      ["carol", 2],
      ["unknown", 0],
    ]);
    // The refunded October charge had no author: its November refund is "unknown" too.
    expect(byAuthor.rows.at(-1)).toEqual({
      key: "unknown",
      reviews: 1,
      charged: 1,
      refunds: 1,
      refunded: 1,
      net: 0,
    });
    const october = (await get("?month=2026-10&by=author&sort=reviews&order=asc")).json();
    expect(october.rows).toEqual([
      { key: "alice", reviews: 1, charged: 1, refunds: 0, refunded: 0, net: 1 },
      { key: "unknown", reviews: 1, charged: 1, refunds: 0, refunded: 0, net: 1 },
    ]);
    // Every column sorts, the refunds' count too (ties by key).
    const byRefunds = (await get("?by=author&sort=refunds")).json();
    expect(byRefunds.rows.map((r: { key: string }) => r.key)).toEqual([
      "bob",
      "unknown",
      "alice",
      "carol",
    ]);
    const csv = await get("?by=author&sort=key", { accept: "text/csv" });
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.body).toBe(
      "author,reviews,charged,refunds,refunded,net\n" +
        "alice,1,1,0,0,1\nbob,2,2,1,1,1\ncarol,2,2,0,0,2\nunknown,1,1,1,1,0\n",
    );
    expect((await get("?month=2026-13")).statusCode).toBe(400);
    expect((await get("?by=team")).statusCode).toBe(400);
  });

  it("shows an account only its own usage", async () => {
    await seed();
    const other = await h.server.inject({
      method: "GET",
      url: "/api/v1/organizations/Acme-Corp/billing/usage",
      headers: h.auth(h.keyB),
    });
    expect(other.statusCode).toBe(404);
    const globex = await usageReport(h.store.ledger, h.orgB.id, "2026-11", "author");
    expect(globex.rows.map((r) => r.key)).toEqual(["alice"]);
  });
});

describe("the runway forecast", () => {
  it("divides the balance by the last 14 days' net spend, or says more than 90 days", () => {
    const now = new Date("2026-11-10T12:00:00Z");
    expect(forecastRunway(30, 28, now)).toEqual({
      dailySpend: 2,
      runsOutOn: "2026-11-25",
      moreThan90Days: false,
    });
    expect(forecastRunway(500, 7, now)).toEqual({
      dailySpend: 0.5,
      runsOutOn: null,
      moreThan90Days: true,
    });
    expect(forecastRunway(10, 0, now)).toMatchObject({ runsOutOn: null, moreThan90Days: true });
    expect(forecastRunway(0, 5, now)).toMatchObject({ runsOutOn: "2026-11-10" });
  });

  it("is in the billing summary and the low-balance email, from a seeded history", async () => {
    const h = await createApiHarness();
    const id = h.orgA.id;
    // Outside the window: a big spend 20 days ago does not count.
    h.clock.set("2026-10-20T12:00:00Z");
    await h.ledger.grant(id, {
      type: "purchase",
      amount: 60,
      description: "p",
      idempotencyKey: "p",
    });
    for (let i = 0; i < 20; i++) await review(h.ledger, id, "acme/api", "alice");
    // Inside: 15 charged, 1 refunded, so 14 net in 14 days: 1 a day.
    h.clock.set("2026-11-01T12:00:00Z");
    const keys: string[] = [];
    for (let i = 0; i < 15; i++) keys.push(await review(h.ledger, id, "acme/api", "bob"));
    await h.ledger.refund(id, { chargeKey: keys[0]! });
    h.clock.set("2026-11-10T12:00:00Z");
    const summary = await h.server.inject({
      method: "GET",
      url: "/api/v1/organizations/Acme-Corp/billing",
      headers: h.auth(h.keyA),
    });
    const { balance, runway } = summary.json() as { balance: number; runway: unknown };
    expect(balance).toBe((await h.ledger.summary(id)).balance);
    const expected = forecastRunway(balance, 14, new Date("2026-11-10T12:00:00Z"));
    expect(runway).toEqual(expected);
    expect(expected).toMatchObject({ dailySpend: 1, moreThan90Days: false });
    expect(await runwayOf(h.store.ledger, id, balance, new Date("2026-11-10T12:00:00Z"))).toEqual(
      expected,
    );

    const email = alertEmail({
      level: "warning",
      balance,
      accountLogin: "Acme-Corp",
      publicUrl: "https://jasper.example",
      runway: expected,
    });
    expect(email.text).toContain(
      `At the pace of the last 14 days (about 1 credit a day, net of refunds), the credits run out around ${expected.runsOutOn}.`,
    );
    const far = alertEmail({
      level: "critical",
      balance: 3,
      accountLogin: "Acme-Corp",
      publicUrl: "https://jasper.example",
      runway: forecastRunway(3, 0, new Date()),
    });
    expect(far.text).toContain("the credits last more than 90 days.");
  });
});
