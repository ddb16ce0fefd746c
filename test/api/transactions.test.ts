import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { parse } from "csv-parse/sync";
import { encodeCursor } from "../../src/ledger/list-entries.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

const SHA = "c".repeat(40);

/**
 * Nine entries for Acme-Corp, one a day from 2026-11-10: the free tier, a purchase, five
 * reviews, a refund of the third, a bonus. Globex has only its free tier.
 */
async function seed(h: ApiHarness): Promise<void> {
  const id = h.orgA.id;
  const day = (d: number) => h.clock.set(`2026-11-${d}T09:00:00Z`);
  day(11);
  await h.ledger.grant(id, {
    type: "purchase",
    amount: 100,
    description: "Starter: 100 credits",
    reference: {
      kind: "stripe",
      checkoutSession: "cs_test_1",
      paymentIntent: "pi_test_1",
      receiptUrl: "https://pay.stripe.com/receipts/r_1",
    },
    idempotencyKey: "purchase-1",
  });
  for (let n = 1; n <= 5; n++) {
    day(11 + n);
    await h.ledger.charge(id, {
      action: "review",
      description: `Review of Acme-Corp/widgets#${n}`,
      reference: {
        kind: "pull_request",
        repository: "Acme-Corp/widgets",
        number: n,
        url: `https://github.com/Acme-Corp/widgets/pull/${n}`,
        headSha: SHA,
      },
      idempotencyKey: `review-${n}`,
    });
  }
  day(17);
  await h.ledger.refund(id, { chargeKey: "review-3" });
  day(18);
  await h.ledger.grant(id, {
    type: "bonus",
    amount: 10,
    description: "=HYPERLINK(1) welcome",
    idempotencyKey: "bonus-1",
  });
}

// Each harness holds Redis connections and queues: close what a test opened.
afterAll(closeHarnesses);

describe("GET /organizations/:org/billing/transactions", () => {
  let h: ApiHarness;
  const url = "/api/v1/organizations/Acme-Corp/billing/transactions";
  const get = (query = "", headers: Record<string, string | undefined> = {}) =>
    h.server.inject({
      method: "GET",
      url: `${url}${query}`,
      headers: { ...h.auth(h.keyA), ...headers },
    });

  beforeAll(async () => {
    h = await createApiHarness();
    await seed(h);
  });

  it("lists entries newest first, with the pull request or Stripe payment they are about", async () => {
    const res = await get();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.nextCursor).toBeNull();
    expect(body.transactions.map((t: { type: string }) => t.type)).toEqual([
      "bonus",
      "refund",
      "usage",
      "usage",
      "usage",
      "usage",
      "usage",
      "purchase",
      "free_tier",
    ]);
    const [bonus, refund, usage5] = body.transactions;
    expect(bonus).toMatchObject({ amount: 10, balanceAfter: 109, pullRequest: null, stripe: null });
    expect(refund).toMatchObject({
      type: "refund",
      amount: 1,
      pullRequest: { repository: "Acme-Corp/widgets", number: 3 },
    });
    expect(usage5).toEqual({
      id: expect.any(String),
      createdAt: "2026-11-16T09:00:00.000Z",
      type: "usage",
      amount: -1,
      buckets: { free: 0, plan: 0, bonus: 0, purchased: -1 },
      balanceAfter: 98,
      description: "Review of Acme-Corp/widgets#5",
      pullRequest: {
        repository: "Acme-Corp/widgets",
        number: 5,
        url: "https://github.com/Acme-Corp/widgets/pull/5",
        headSha: SHA,
      },
      stripe: null,
    });
    expect(body.transactions[7]).toMatchObject({
      type: "purchase",
      amount: 100,
      buckets: { free: 0, plan: 0, bonus: 0, purchased: 100 },
      stripe: {
        checkoutSession: "cs_test_1",
        paymentIntent: "pi_test_1",
        receiptUrl: "https://pay.stripe.com/receipts/r_1",
      },
      pullRequest: null,
    });
  });

  it("filters by type, comma-separated or repeated", async () => {
    const types = async (q: string) =>
      (await get(q)).json().transactions.map((t: { type: string }) => t.type);
    expect(await types("?type=usage")).toEqual(Array(5).fill("usage"));
    expect(await types("?type=usage,refund")).toEqual(["refund", ...Array(5).fill("usage")]);
    expect(await types("?type=usage&type=refund")).toEqual(["refund", ...Array(5).fill("usage")]);
    expect(await types("?type=purchase,%20purchase")).toEqual(["purchase"]);
    const bad = await get("?type=usage,gift");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: "invalid_request",
      issues: [expect.objectContaining({ path: "querystring.type.1" })],
    });
  });

  it("filters by date: from inclusive, to exclusive, dates or date-times", async () => {
    const days = async (q: string) =>
      (await get(q))
        .json()
        .transactions.map((t: { createdAt: string }) => t.createdAt.slice(0, 10));
    expect(await days("?from=2026-11-12&to=2026-11-14")).toEqual(["2026-11-13", "2026-11-12"]);
    expect(await days("?from=2026-11-17T09:00:00Z")).toEqual(["2026-11-18", "2026-11-17"]);
    expect(await days("?to=2026-11-11T10:00:00%2B01:00")).toEqual(["2026-11-10"]);
    expect(await days("?type=usage&from=2026-11-15")).toEqual(["2026-11-16", "2026-11-15"]);
    for (const q of [
      "?from=yesterday",
      "?from=2026-02-30",
      "?to=2026-11-10T25:00:00Z",
      "?from=2026-11-14&to=2026-11-12",
      "?from=1&from=2",
    ]) {
      const res = await get(q);
      expect([q, res.statusCode, res.json().error.code]).toEqual([q, 400, "invalid_request"]);
    }
  });

  it("pages with a cursor until the end, with and without a filter", async () => {
    const walk = async (q: string) => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = "";
      while (cursor !== null) {
        const res = await get(`${q}${cursor ? `&cursor=${cursor}` : ""}`);
        expect(res.statusCode).toBe(200);
        const page = res.json();
        sizes.push(page.transactions.length);
        seen.push(...page.transactions.map((t: { id: string }) => t.id));
        cursor = page.nextCursor;
      }
      return { seen, sizes };
    };
    const all = (await get()).json().transactions.map((t: { id: string }) => t.id);
    const paged = await walk("?limit=2");
    expect(paged.sizes).toEqual([2, 2, 2, 2, 1]);
    expect(paged.seen).toEqual(all);
    const usage = await walk("?limit=2&type=usage");
    expect(usage.sizes).toEqual([2, 2, 1]);
    expect(new Set(usage.seen).size).toBe(5);
    // An exact multiple of the page size ends with an empty-cursor page, not an empty page.
    expect((await walk("?limit=3")).sizes).toEqual([3, 3, 3]);
  });

  it("refuses a malformed cursor with 400", async () => {
    for (const cursor of [
      "abc",
      "%24gt",
      encodeCursor(0),
      Buffer.from('{"v":2,"seq":3}').toString("base64url"),
      "x".repeat(101),
    ]) {
      const res = await get(`?cursor=${cursor}`);
      expect([cursor, res.statusCode]).toEqual([cursor, 400]);
      expect(["invalid_input", "invalid_request"]).toContain(res.json().error.code);
    }
    expect((await get(`?cursor=${encodeCursor(3)}`)).json().transactions).toHaveLength(2);
  });

  it("takes limits from 1 to 100 only", async () => {
    for (const limit of ["0", "101", "-1", "abc", "1.5", "", "1e400", "9007199254740993"]) {
      const res = await get(`?limit=${limit}`);
      expect([limit, res.statusCode, res.json().error.code]).toEqual([
        limit,
        400,
        "invalid_request",
      ]);
    }
    expect((await get("?limit=1")).json().transactions).toHaveLength(1);
    expect((await get("?limit=100")).json().transactions).toHaveLength(9);
  });

  it("refuses operator objects and unknown parameters", async () => {
    for (const q of [
      "?limit[$gt]=1",
      "?type[$ne]=usage",
      "?cursor[$gt]=",
      "?sort=asc",
      "?format=xml",
    ]) {
      const res = await get(q);
      expect([q, res.statusCode]).toEqual([q, 400]);
    }
  });

  it("exports the whole history as streamed CSV with Accept: text/csv or format=csv", async () => {
    for (const req of [
      { query: "", headers: { accept: "text/csv" } },
      { query: "?format=csv", headers: {} },
      { query: "?limit=1", headers: { accept: "text/csv;q=0.9, application/json;q=0.1" } },
    ]) {
      const res = await get(req.query, req.headers);
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
      expect(res.headers["content-disposition"]).toBe(
        'attachment; filename="jasper-Acme-Corp-transactions.csv"',
      );
      // Streamed: no length known up front.
      expect(res.headers["content-length"]).toBeUndefined();
      const rows: Record<string, string>[] = parse(res.body, { columns: true });
      expect(rows).toHaveLength(9);
      expect(rows[0]).toMatchObject({ type: "bonus", balance_after: "109" });
      // A description that a spreadsheet would run as a formula is defused.
      expect(rows[0]!.description).toBe("'=HYPERLINK(1) welcome");
      expect(rows[2]).toMatchObject({ type: "usage", pull_request: "5", head_sha: SHA });
      expect(rows[8]!.type).toBe("free_tier");
    }
  });

  it("applies type and date filters to the export (not the cursor or limit)", async () => {
    const res = await get("?format=csv&type=usage&from=2026-11-13&limit=1");
    const rows: Record<string, string>[] = parse(res.body, { columns: true });
    expect(rows.map((r) => r.pull_request)).toEqual(["5", "4", "3", "2"]);
  });

  it("leaves the export's filtering to the store, through the ledger", async () => {
    const stream = jest.spyOn(h.store.ledger, "stream");
    try {
      const res = await get(
        "?format=csv&type=usage,refund&from=2026-11-13&to=2026-11-17T09:00:00Z",
      );
      const rows: Record<string, string>[] = parse(res.body, { columns: true });
      // The refund was made at 09:00 on the 17th: `to` is exclusive.
      expect(rows.map((r) => r.pull_request)).toEqual(["5", "4", "3", "2"]);
      expect(stream.mock.calls).toEqual([
        [
          h.orgA.id,
          "desc",
          {
            types: ["usage", "refund"],
            from: new Date("2026-11-13T00:00:00Z"),
            to: new Date("2026-11-17T09:00:00Z"),
          },
        ],
      ]);
    } finally {
      stream.mockRestore();
    }
  });

  it("answers JSON when JSON is preferred, and CSV for another org's key never", async () => {
    const json = await get("", { accept: "application/json, text/csv" });
    expect(json.headers["content-type"]).toMatch(/^application\/json/);
    const other = await h.server.inject({
      method: "GET",
      url: `${url}?format=csv`,
      headers: h.auth(h.keyB),
    });
    expect(other.statusCode).toBe(404);
    expect(other.headers["content-type"]).toMatch(/^application\/json/);
  });
});

describe("refunds asked for on the pull request, in the history", () => {
  it("show who asked and why, in JSON and CSV; automatic refunds do not", async () => {
    const h = await createApiHarness();
    const id = h.orgA.id;
    for (const n of [1, 2]) {
      await h.ledger.charge(id, {
        action: "review",
        description: `Review of Acme-Corp/widgets#${n}`,
        idempotencyKey: `review-${n}`,
      });
    }
    await h.ledger.refund(id, { chargeKey: "review-1" });
    const reason = "=cmd|' it flagged generated code";
    await h.ledger.refund(id, {
      chargeKey: "review-2",
      request: { userId: 77, login: "octo-dev", reason },
    });
    const get = (query: string) =>
      h.server.inject({
        method: "GET",
        url: `/api/v1/organizations/Acme-Corp/billing/transactions?type=refund${query}`,
        headers: h.auth(h.keyA),
      });

    const [asked, automatic] = (await get("")).json().transactions;
    expect(asked.refundRequest).toEqual({ login: "octo-dev", reason });
    expect(automatic).not.toHaveProperty("refundRequest");

    const rows: Record<string, string>[] = parse((await get("&format=csv")).body, {
      columns: true,
    });
    expect(rows.map((r) => [r.refund_requested_by, r.refund_reason])).toEqual([
      ["octo-dev", `'${reason}`], // a formula is defused
      ["", ""],
    ]);
  });
});
