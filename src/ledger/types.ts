/**
 * The ledger's domain types. Every change of an account's balance is one immutable entry;
 * the balance is never stored anywhere else: it is the newest entry's `balanceAfter`.
 */
import type { AccountId } from "../accounts/types.js";
import type { EntryUse } from "./entry-use.js";

/**
 * Buckets in the order credits are spent: free first, then the plan's (a subscription's
 * monthly credits), then bonus, then purchased. An entry written before the plan bucket has
 * none: read as 0 (the stores fill it in).
 */
export const BUCKETS = ["free", "plan", "bonus", "purchased"] as const;
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
  "plan",
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** What an entry is about. Usage and refunds point at the pull request they paid for. */
export type EntryReference =
  | {
      kind: "pull_request";
      /** owner/name as GitHub spelled it when the entry was written (repositories get renamed). */
      repository: string;
      /**
       * GitHub's id of the repository, which a rename keeps: what budgets and run caps count
       * by. Absent on entries from before it was kept (month-use.ts says how those count).
       */
      repositoryId?: number | undefined;
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
      /**
       * Purchases paid by an automatic top-up only: the attempt's key (top-up-attempt-store.ts).
       * Absent on every other entry, and on all entries written before auto top-up.
       */
      autoTopUp?: string | undefined;
      /**
       * A purchase's payment, as Stripe reported it and matched against what Jasper recorded:
       * the amount in the currency's smallest unit, and the lowercase currency ("eur").
       * Absent on entries written before they were kept.
       */
      paidCents?: number | undefined;
      currency?: string | undefined;
    }
  | { kind: "operator"; actor: string }
  | { kind: "free_period"; period: string }
  | {
      /** A plan grant: the subscription (Stripe's id, or an operator's enterprise plan), its month. */
      kind: "plan_month";
      subscription: string;
      /** The month's first instant and its end (when its credits expire), ISO 8601. */
      monthStart: string;
      monthEnd: string;
      plan: string;
    };

/**
 * A bonus lot: the credits of one bonus grant (or another entry that put credits into the
 * bonus bucket), spent soonest-expiring first (docs/billing.md, "Buckets"). Its id is the seq
 * of the entry that created it: unique per account, and known before that entry is inserted,
 * which an entry id is not. Lot 0 is the bonus bucket of a history written before lots.
 */
export interface Lot {
  lot: number;
  /** When what is left of it expires; null: never. */
  expiresAt: Date | null;
  remaining: number;
}

/** How one entry changed one lot (signed). */
export interface LotDelta {
  lot: number;
  amount: number;
}

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
  /**
   * The bonus lots after this entry, in spend order: every lot still holding credits, and a
   * lot with an expiry until it expires even when empty (a refund can still give back to it).
   * Their remainders add up to bucketsAfter.bonus. Null on entries written before lots.
   */
  lotsAfter: Lot[] | null;
  /** Signed change per lot; adds up to deltas.bonus. Null on entries written before lots. */
  lotDeltas: LotDelta[] | null;
  /**
   * When the plan bucket's credits expire: the end of the plan month they were granted for.
   * Set by a plan grant, cleared by their expiration; null when the bucket has never held
   * plan credits (and on entries written before the plan bucket). The bucket holds one plan
   * month at a time (plan-bucket.ts).
   */
  planExpiresAt: Date | null;
  /**
   * The month's use after this entry: its totals, and the counters and warnings it changed
   * (entry-use.ts); the whole month on entries written before constant-size entries. Null on
   * entries written before month use.
   */
  monthUse: EntryUse | null;
  /** For a refund someone asked for (`/jasper refund`): who, and why. Null otherwise. */
  refundRequest: RefundRequest | null;
  /**
   * The account's net spend up to this entry (spent.ts): what the billing summary and the
   * runway subtract. Absent on entries written before it was kept.
   */
  spent?: SpentTotal | null | undefined;
  createdAt: Date;
}

/** A running total of credits charged less credits refunded (spent.ts). */
export interface SpentTotal {
  /** Net credits of the usage and refund entries from seq `from` up to this entry. */
  total: number;
  /** The entry counting started at: 1, or the first entry after one without a total. */
  from: number;
}

/** Who asked for a refund with `/jasper refund`, and the reason they gave. */
export interface RefundRequest {
  /** GitHub user id and login. */
  userId: number;
  login: string;
  reason: string;
}

export const zeroBuckets = (): BucketAmounts => ({ free: 0, plan: 0, bonus: 0, purchased: 0 });
export const sumBuckets = (b: BucketAmounts): number => b.free + b.plan + b.bonus + b.purchased;

/** The buckets an operator's adjustment may change: plan credits only come with their month. */
export const ADJUSTABLE_BUCKETS = ["free", "bonus", "purchased"] as const;
export type AdjustableBucket = (typeof ADJUSTABLE_BUCKETS)[number];
