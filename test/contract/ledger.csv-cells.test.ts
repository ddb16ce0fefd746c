import { afterEach, describe, expect, it } from "@jest/globals";
import { parse } from "csv-parse/sync";
import { entriesToCsv } from "../../src/ledger/export-csv.js";
import { makeLedger, newAccountId, purchase, reviewCharge } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/** The export's chunks, and the rows they parse to. */
async function exported(stream: NodeJS.ReadableStream) {
  const chunks: unknown[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const text = Buffer.concat(chunks as Buffer[]).toString("utf8");
  return { chunks, text, rows: parse(text, { columns: true }) as Record<string, string>[] };
}

/**
 * The CSV export's cells: what an entry does not have is an empty cell, user text that a
 * spreadsheet would run as a formula gets a leading quote (and only that text), and the file
 * is a stream of UTF-8 bytes, as a download is.
 */
describe.each(storeFactories())("CSV export cells on the $name store", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("leaves the cells an entry has no value for empty", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 10));
    await ledger.charge(id, reviewCharge("c1", 7));
    const { rows } = await exported(entriesToCsv(store.ledger.streamRows(id, "desc")));
    const blank = {
      stripe_checkout_session: "",
      stripe_payment_intent: "",
      receipt_url: "",
      expires_at: "",
      refund_requested_by: "",
      refund_reason: "",
    };
    expect(rows.map((r) => r.type)).toEqual(["usage", "purchase", "free_tier"]);
    expect(rows[0]).toMatchObject({
      ...blank,
      description: "Review of acme/widgets#7",
      repository: "acme/widgets",
      pull_request: "7",
      head_sha: "a".repeat(40),
    });
    // Without a reference: no pull request or payment cells.
    for (const r of rows.slice(1)) {
      expect(r).toMatchObject({
        ...blank,
        repository: "",
        pull_request: "",
        pull_request_url: "",
        head_sha: "",
      });
    }
  });

  it("quotes text that starts like a formula, and no other", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 20));
    const descriptions = [
      "=SUM(A1:A9)",
      "+1 review",
      "-1 credit",
      "@user asked",
      "Review of acme/my-widgets #3: a=b + c - d @ e",
      "1+1=2",
      "review-2",
    ];
    for (const [i, description] of descriptions.entries()) {
      await ledger.charge(id, { ...reviewCharge(`c${i}`, i + 1), description });
    }
    await ledger.refund(id, {
      chargeKey: "c0",
      request: { userId: 5, login: "mona", reason: "-not a formula- said @mona" },
    });
    // Refunded without being asked: no one asked, no reason.
    await ledger.refund(id, { chargeKey: "c1" });
    const { rows } = await exported(entriesToCsv(store.ledger.streamRows(id, "asc")));
    expect(rows.filter((r) => r.type === "usage").map((r) => r.description)).toEqual([
      "'=SUM(A1:A9)",
      "'+1 review",
      "'-1 credit",
      "'@user asked",
      "Review of acme/my-widgets #3: a=b + c - d @ e",
      "1+1=2",
      "review-2",
    ]);
    expect(
      rows.filter((r) => r.type === "refund").map((r) => [r.refund_requested_by, r.refund_reason]),
    ).toEqual([
      ["mona", "'-not a formula- said @mona"],
      ["", ""],
    ]);
  });

  it("is a stream of UTF-8 bytes", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, { ...purchase("p", 10), description: "Crédits achetés — ✓" });
    const { chunks, text, rows } = await exported(
      entriesToCsv(store.ledger.streamRows(id, "desc")),
    );
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.every((c) => Buffer.isBuffer(c))).toBe(true);
    expect(Buffer.concat(chunks as Buffer[]).length).toBe(Buffer.byteLength(text, "utf8"));
    expect(rows.find((r) => r.type === "purchase")?.description).toBe("Crédits achetés — ✓");
  });
});
