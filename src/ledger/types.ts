/**
 * The ledger's domain types. Every change of an account's balance is one immutable entry;
 * the balance is never stored anywhere else: it is the newest entry's `balanceAfter`.
 */
import type { AccountId } from "../accounts/types.js";

/** Buckets in the order credits are spent: free first, then bonus, then purchased. */
export const BUCKETS = ["free", "bonus", "purchased"] as const;
export type Bucket = (typeof BUCKETS)[number];
export type BucketAmounts = Record<Bucket, number>;

export const ENTRY_TYPES = [
  "purchase",
  "usage",
  "free_tier",
  "bonus",
  "refund",
  "expiration",
  "adjustment",
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** What an entry is about. Usage and refunds point at the pull request they paid for. */
export type EntryReference =
  | {
      kind: "pull_request";
      repository: string;
      number: number;
      url?: string | undefined;
      headSha?: string | undefined;
      /** The pull request's author (GitHub login); absent on entries from before it was kept. */
      author?: string | undefined;
    }
  | {
      kind: "stripe";
      checkoutSession?: string | undefined;
      paymentIntent?: string | undefined;
      charge?: string | undefined;
      receiptUrl?: string | undefined;
    }
  | { kind: "operator"; actor: string }
  | { kind: "free_period"; period: string };

export interface LedgerEntry {
  id: string;
  accountId: AccountId;
  /** 1, 2, 3, ... per account with no gaps: the total order, and the concurrency guard. */
  seq: number;
  type: EntryType;
  /** Signed integer change of the balance: the sum of `deltas`. */
  amount: number;
  /** Signed change per bucket (a charge can span buckets). */
  deltas: BucketAmounts;
  bucketsAfter: BucketAmounts;
  balanceAfter: number;
  /** The month ("YYYY-MM", UTC) the free bucket belongs to after this entry. */
  freePeriod: string;
  description: string;
  reference: EntryReference | null;
  idempotencyKey: string;
  /** For a refund: the id of the usage entry it gives back. At most one refund per charge. */
  refundOf: string | null;
  /** For a negative adjustment: what could not be taken back because the bucket ran dry. */
  uncollected: number;
  createdAt: Date;
}

export const zeroBuckets = (): BucketAmounts => ({ free: 0, bonus: 0, purchased: 0 });
export const sumBuckets = (b: BucketAmounts): number => b.free + b.bonus + b.purchased;
