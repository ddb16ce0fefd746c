import { Readable } from "node:stream";
import { stringify } from "csv-stringify/sync";
import { grantExpiry } from "./lots.js";
import type { EntryRow } from "./ledger-store.js";

const COLUMNS = [
  "id",
  "created_at",
  "type",
  "amount",
  "free",
  "plan",
  "bonus",
  "purchased",
  "balance_after",
  "description",
  "repository",
  "pull_request",
  "pull_request_url",
  "head_sha",
  "stripe_checkout_session",
  "stripe_payment_intent",
  "receipt_url",
  "uncollected",
  "expires_at",
  "refund_requested_by",
  "refund_reason",
] as const;

/**
 * The whole history as CSV, one row at a time: rows are produced only as fast as the reader
 * takes them (Readable.from pulls the async iterator on demand), so memory stays flat however
 * long the history is.
 */
export function entriesToCsv(entries: AsyncIterable<EntryRow>): Readable {
  return Readable.from(csvLines(entries), { objectMode: false });
}

async function* csvLines(entries: AsyncIterable<EntryRow>): AsyncGenerator<string> {
  yield stringify([COLUMNS as unknown as string[]]);
  for await (const e of entries) yield stringify([row(e)]);
}

function row(e: EntryRow): (string | number)[] {
  const pr = e.reference?.kind === "pull_request" ? e.reference : undefined;
  const stripe = e.reference?.kind === "stripe" ? e.reference : undefined;
  return [
    e.id,
    e.createdAt.toISOString(),
    e.type,
    e.amount,
    e.deltas.free,
    // The plan bucket's change (after free, in spend order), so the buckets add up to amount.
    e.deltas.plan,
    e.deltas.bonus,
    e.deltas.purchased,
    e.balanceAfter,
    text(e.description),
    text(pr?.repository),
    pr?.number ?? "",
    text(pr?.url),
    text(pr?.headSha),
    text(stripe?.checkoutSession),
    text(stripe?.paymentIntent),
    text(stripe?.receiptUrl),
    e.uncollected,
    // A bonus grant's expiry, or a plan grant's month end; empty for credits that never expire
    // and for other entries.
    (e.type === "plan" ? e.planExpiresAt : grantExpiry(e))?.toISOString() ?? "",
    // A refund asked for with `/jasper refund`: who asked, and why; empty for the others.
    text(e.refundRequest?.login),
    text(e.refundRequest?.reason),
  ];
}

/**
 * Descriptions can carry PR titles and other user text; a cell starting with = + - @ or a
 * control character would run as a formula in a spreadsheet, so it gets a leading quote.
 */
function text(value: string | undefined): string {
  if (value === undefined) return "";
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
