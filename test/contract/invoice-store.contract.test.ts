import { afterEach, describe, expect, it } from "@jest/globals";
import type { InvoiceRecord } from "../../src/billing/invoice-store.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

let n = 0;
const invoice = (over: Partial<InvoiceRecord> = {}): InvoiceRecord => ({
  accountId: newAccountId(),
  invoiceId: `in_${++n}_${Date.now()}`,
  customerId: "cus_1",
  number: "JSP-0001",
  status: "open",
  createdAt: new Date("2026-11-10T00:00:00Z"),
  issuedAt: new Date("2026-11-10T00:00:05Z"),
  paidAt: null,
  subtotal: 4900,
  tax: 980,
  total: 5880,
  currency: "usd",
  lines: [
    {
      description: "Pro plan",
      amount: 4900,
      quantity: 1,
      periodStart: new Date("2026-11-10T00:00:00Z"),
      periodEnd: new Date("2026-12-10T00:00:00Z"),
    },
  ],
  hostedInvoiceUrl: "https://invoice.stripe.com/i/acct_1/test_1",
  invoicePdf: "https://pay.stripe.com/invoice/acct_1/test_1/pdf",
  grantKey: null,
  version: 100,
  ...over,
});

describe.each(storeFactories())("invoice store contract: $name", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("keeps the newest version: an older state delivered late changes nothing", async () => {
    const { invoices: store } = await create();
    const open = invoice();
    expect(await store.put(open)).toEqual({ status: "saved" });
    const paid = { ...open, status: "paid" as const, paidAt: new Date(), version: 200 };
    expect(await store.put(paid)).toEqual({ status: "saved" });
    expect(await store.put(open)).toEqual({ status: "stale" });
    expect(await store.put(paid)).toEqual({ status: "stale" });
    expect(await store.find(open.accountId, open.invoiceId)).toStrictEqual(paid);
    const found = await store.find(open.accountId, open.invoiceId);
    found!.lines[0]!.periodEnd.setTime(0);
    expect((await store.find(open.accountId, open.invoiceId))!.lines[0]!.periodEnd).toEqual(
      paid.lines[0]!.periodEnd,
    );
  });

  it("under concurrent puts of every state, the newest is what stays", async () => {
    const { invoices: store } = await create();
    const first = invoice();
    const states = [1, 5, 3, 4, 2].map((v) => ({ ...first, version: v, number: `JSP-${v}` }));
    const results = await Promise.all(states.map((s) => store.put(s)));
    // Only puts that found an older state (or none) saved; the newest always did.
    expect(results[1]).toEqual({ status: "saved" });
    expect(await store.find(first.accountId, first.invoiceId)).toStrictEqual(states[1]);
  });

  it("keeps an invoice id to its account: another account's put changes nothing", async () => {
    const { invoices: store } = await create();
    const mine = invoice();
    await store.put(mine);
    const theirs = { ...mine, accountId: newAccountId(), version: 999 };
    expect(await store.put(theirs)).toEqual({ status: "conflict" });
    expect(await store.find(mine.accountId, mine.invoiceId)).toStrictEqual(mine);
    expect(await store.find(theirs.accountId, mine.invoiceId)).toBeNull();
    expect(await store.list(theirs.accountId, { limit: 10 })).toEqual([]);
  });

  it("lists one account's invoices newest first, paged after a position", async () => {
    const { invoices: store } = await create();
    const account = newAccountId();
    const at = (iso: string) => new Date(iso);
    const a = invoice({
      accountId: account,
      invoiceId: "in_a",
      createdAt: at("2026-10-01T00:00:00Z"),
    });
    const b = invoice({
      accountId: account,
      invoiceId: "in_b",
      createdAt: at("2026-11-01T00:00:00Z"),
    });
    // Same instant as b: the id breaks the tie, so a page boundary between them loses none.
    const c = invoice({
      accountId: account,
      invoiceId: "in_c",
      createdAt: at("2026-11-01T00:00:00Z"),
    });
    const other = invoice({ invoiceId: "in_z", createdAt: at("2026-12-01T00:00:00Z") });
    for (const r of [b, other, a, c]) await store.put(r);
    const first = await store.list(account, { limit: 2 });
    expect(first.map((r) => r.invoiceId)).toEqual(["in_c", "in_b"]);
    const second = await store.list(account, { before: first[1]!, limit: 2 });
    expect(second.map((r) => r.invoiceId)).toEqual(["in_a"]);
    expect(await store.list(account, { before: second[0]!, limit: 2 })).toEqual([]);
  });
});
