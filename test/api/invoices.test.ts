import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { InvoiceRecord } from "../../src/billing/invoice-store.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

/**
 * GET .../billing/invoices: the account's invoices from the invoice store, newest first, paged
 * by cursor, the credits read from the grant each names; another account's never shown.
 */
const record = (accountId: AccountId, id: string, day: number, over: Partial<InvoiceRecord> = {}) =>
  ({
    accountId,
    invoiceId: id,
    customerId: `cus_${accountId}`,
    number: `JSP-${id}`,
    status: "paid",
    createdAt: new Date(`2026-11-${day}T10:00:00Z`),
    issuedAt: new Date(`2026-11-${day}T10:00:05Z`),
    paidAt: new Date(`2026-11-${day}T10:00:05Z`),
    subtotal: 12250,
    tax: 2450,
    total: 14700,
    currency: "usd",
    lines: [
      {
        description: "Jasper Growth: 500 review credits",
        amount: 12250,
        quantity: 1,
        periodStart: new Date(`2026-11-${day}T10:00:00Z`),
        periodEnd: new Date(`2026-11-${day}T10:00:00Z`),
      },
    ],
    hostedInvoiceUrl: `https://invoice.stripe.com/i/acct_1/${id}`,
    invoicePdf: `https://pay.stripe.com/invoice/acct_1/${id}/pdf`,
    grantKey: null,
    version: 1,
    ...over,
  }) satisfies InvoiceRecord;

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
  await h.ledger.grant(h.orgA.id, {
    type: "purchase",
    amount: 500,
    description: "Growth package: 500 credits",
    idempotencyKey: "stripe-checkout:cs_test_growth",
  });
  await h.store.invoices.put(
    record(h.orgA.id, "in_a1", 10, { grantKey: "stripe-checkout:cs_test_growth" }),
  );
  // Names a grant not written (yet): no credits shown.
  await h.store.invoices.put(
    record(h.orgA.id, "in_a2", 12, { grantKey: "stripe-checkout:cs_test_later" }),
  );
  await h.store.invoices.put(
    record(h.orgA.id, "in_a3", 14, { status: "open", paidAt: null, tax: 0, total: 12250 }),
  );
  await h.store.invoices.put(record(h.orgB.id, "in_b1", 13));
});
afterAll(closeHarnesses);

const get = (token: string, query = "", org = "Acme-Corp") =>
  h.server.inject({
    method: "GET",
    url: `/api/v1/organizations/${org}/billing/invoices${query}`,
    headers: h.auth(token),
  });

describe("GET /organizations/:org/billing/invoices", () => {
  it("pages the account's invoices newest first, with the credits each granted", async () => {
    const first = await get(h.keyA, "?limit=2");
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.invoices.map((i: { id: string }) => i.id)).toEqual(["in_a3", "in_a2"]);
    expect(page1.invoices[0]).toEqual({
      id: "in_a3",
      number: "JSP-in_a3",
      status: "open",
      createdAt: "2026-11-14T10:00:00.000Z",
      issuedAt: "2026-11-14T10:00:05.000Z",
      paidAt: null,
      subtotal: 12250,
      tax: 0,
      total: 12250,
      currency: "usd",
      creditsGranted: null,
      lines: [
        {
          description: "Jasper Growth: 500 review credits",
          amount: 12250,
          quantity: 1,
          periodStart: "2026-11-14T10:00:00.000Z",
          periodEnd: "2026-11-14T10:00:00.000Z",
        },
      ],
      hostedInvoiceUrl: "https://invoice.stripe.com/i/acct_1/in_a3",
      invoicePdf: "https://pay.stripe.com/invoice/acct_1/in_a3/pdf",
    });
    expect(page1.invoices[1].creditsGranted).toBeNull();
    expect(page1.nextCursor).toEqual(expect.any(String));

    const second = await get(h.keyA, `?limit=2&cursor=${page1.nextCursor}`);
    expect(second.statusCode).toBe(200);
    expect(second.json().invoices).toHaveLength(1);
    expect(second.json().invoices[0]).toMatchObject({
      id: "in_a1",
      creditsGranted: 500,
      tax: 2450,
    });
    expect(second.json().nextCursor).toBeNull();
  });

  it("shows each account only its own invoices", async () => {
    const globex = await get(h.keyB, "", "Globex");
    expect(globex.statusCode).toBe(200);
    expect(globex.json().invoices.map((i: { id: string }) => i.id)).toEqual(["in_b1"]);
    // Acme's key on Globex's path, and Globex's on Acme's: no access, nothing listed.
    expect((await get(h.keyA, "", "Globex")).statusCode).toBe(404);
    expect((await get(h.keyB)).statusCode).toBe(404);
    // A cursor made from Globex's invoice lists only Acme's, older than it.
    const cursor = Buffer.from(
      JSON.stringify({ v: 1, at: Date.parse("2026-11-13T10:00:00Z"), id: "in_b1" }),
    ).toString("base64url");
    const ids = (await get(h.keyA, `?cursor=${cursor}`))
      .json()
      .invoices.map((i: { id: string }) => i.id);
    expect(ids).toEqual(["in_a2", "in_a1"]);
  });

  it("answers bad input with a 400 and no credential with a 401", async () => {
    for (const query of ["?cursor=bm9wZQ", "?limit=0", "?limit=101", "?page=2", "?cursor[$gt]="]) {
      const res = await get(h.keyA, query);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: expect.any(Object) });
    }
    const anonymous = await h.server.inject({
      method: "GET",
      url: "/api/v1/organizations/Acme-Corp/billing/invoices",
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
