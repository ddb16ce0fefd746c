/**
 * What the ledger accepts, as zod schemas. Every operation parses its input first, so a bad
 * call fails with an InvalidInputError before anything is read or written. Objects are
 * strict: an unknown key, or an operator object like {"$gt": ""} where a string belongs,
 * is refused rather than passed on to a query.
 */
import { z } from "zod";
import { InvalidInputError } from "../shared/errors.js";
import { joinIssues, zodIssues } from "../shared/zod-issues.js";
import { BILLABLE_ACTIONS } from "./credits.js";
import { ADJUSTABLE_BUCKETS, ENTRY_TYPES } from "./types.js";

/** Far above any real grant, far below where integer sums stop being exact. */
export const MAX_AMOUNT = 1_000_000_000;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

export const accountIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * Keys the ledger derives itself (a refund's from its charge, the monthly free tier's from the
 * month, a bonus lot's expiration from the lot). A caller's key with one of these prefixes
 * could take a refund's or an expiration's place and block it for good, so callers may not
 * use them.
 */
export const RESERVED_KEY_PREFIXES = [
  "refund:",
  "free-tier:",
  "free-expiration:",
  "bonus-expiration:",
  "plan:",
  "plan-expiration:",
] as const;

/** Printable ASCII without spaces: keys end up in logs, URLs and CSV files. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
  .refine((key) => !RESERVED_KEY_PREFIXES.some((p) => key.startsWith(p)), {
    message: `must not start with ${RESERVED_KEY_PREFIXES.join(", ")} (reserved for the ledger)`,
  });

const description = z.string().trim().min(1).max(500);
const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);
const stripeId = z.string().regex(/^[A-Za-z0-9_]{1,255}$/, "must be a Stripe object id");

const githubLogin = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,38}(\[bot\])?$/, "must be a GitHub login");

export const referenceSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("pull_request"),
    // GitHub's own rules: owners are letters, digits and inner hyphens; names may not be . or ..
    repository: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/,
        "must be owner/name",
      ),
    repositoryId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    number: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    url: httpUrl.optional(),
    headSha: z
      .string()
      .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, "must be a commit SHA")
      .optional(),
    author: githubLogin.optional(),
  }),
  z.strictObject({
    kind: z.literal("stripe"),
    checkoutSession: stripeId.optional(),
    paymentIntent: stripeId.optional(),
    charge: stripeId.optional(),
    receiptUrl: httpUrl.optional(),
    autoTopUp: z.string().min(1).max(200).optional(),
    paidCents: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    currency: z
      .string()
      .regex(/^[a-z]{3}$/, "must be a lowercase currency code")
      .optional(),
  }),
  z.strictObject({ kind: z.literal("operator"), actor: z.string().trim().min(1).max(100) }),
]);

/*
 * The *Input types are what a caller writes (z.input: before defaults and trims), and what the
 * Ledger's methods declare. The methods still parse: the types help callers in this code base,
 * but a value can come from JSON, a webhook or a cast, and must still be checked.
 */

export const grantSchema = z
  .strictObject({
    type: z.enum(["purchase", "bonus"]),
    amount: z.number().int().positive().max(MAX_AMOUNT),
    description,
    reference: referenceSchema.optional(),
    idempotencyKey: idempotencyKeySchema,
    /** Bonus credits only: when what is left of this grant expires (after now; see grant). */
    expiresAt: z.date().optional(),
  })
  .refine((g) => g.type === "bonus" || g.expiresAt === undefined, {
    message: "only bonus credits expire",
    path: ["expiresAt"],
  });
export type GrantInput = z.input<typeof grantSchema>;

export const adjustSchema = z.strictObject({
  amount: z
    .number()
    .int()
    .min(-MAX_AMOUNT)
    .max(MAX_AMOUNT)
    .refine((n) => n !== 0, "must not be zero"),
  // Not the plan bucket: its credits come with their month (Ledger.grantPlan).
  bucket: z.enum(ADJUSTABLE_BUCKETS),
  description,
  reference: referenceSchema.optional(),
  idempotencyKey: idempotencyKeySchema,
});
export type AdjustInput = z.input<typeof adjustSchema>;

/** A plan id, or an operator's enterprise plan (`enterprise-<account>`). */
const planId = z.string().regex(/^[a-z0-9][a-z0-9:-]{0,59}$/, "must be a plan id");

export const planGrantSchema = z
  .strictObject({
    /** Stripe's subscription id, or the id of an operator's enterprise plan. */
    subscription: z.string().regex(/^[A-Za-z0-9_:-]{1,255}$/, "must be a subscription id"),
    plan: planId,
    /** The plan month: its first instant, and its end (when its credits expire). */
    monthStart: z.date(),
    monthEnd: z.date(),
    /** The plan's credits for a month: what the month's grants add up to. */
    credits: z.number().int().min(0).max(MAX_AMOUNT),
    /** An upgrade's grant (the difference, keyed by the plan too), or the month's own. */
    upgrade: z.boolean().default(false),
    /** The other plans whose upgrade grants this month already made count (the catalog). */
    otherPlans: z.array(planId).max(50).default([]),
    description,
  })
  .refine((g) => g.monthEnd.getTime() > g.monthStart.getTime(), {
    message: "must be after monthStart",
    path: ["monthEnd"],
  });
export type PlanGrantInput = z.input<typeof planGrantSchema>;
/** A plan grant as parsed: its defaults filled in. */
export type PlanGrant = z.output<typeof planGrantSchema>;

const cap = z.number().int().min(0).max(MAX_AMOUNT).optional();

export const chargeSchema = z.strictObject({
  action: z.enum(BILLABLE_ACTIONS),
  description,
  reference: referenceSchema.optional(),
  idempotencyKey: idempotencyKeySchema,
  /** The budgets the charge must fit (month-use.ts), resolved from the account's rules. */
  limits: z
    .strictObject({
      account: cap,
      repository: cap,
      author: cap,
      pullRequestRuns: cap,
      warnAtPercent: z.number().int().min(1).max(100).optional(),
      enforce: z.boolean().optional(),
    })
    .optional(),
});
export type ChargeInput = z.input<typeof chargeSchema>;

export const refundSchema = z.strictObject({
  /** The idempotency key the charge was made with. */
  chargeKey: idempotencyKeySchema,
  description: description.optional(),
  /**
   * A refund someone asked for (`/jasper refund`): capped per month (REQUESTED_REFUND_SHARE)
   * and recorded with who asked and why.
   */
  request: z
    .strictObject({
      userId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
      login: githubLogin,
      reason: z.string().trim().min(1).max(500),
    })
    .optional(),
});
export type RefundInput = z.input<typeof refundSchema>;

export const listQuerySchema = z.strictObject({
  types: z.array(z.enum(ENTRY_TYPES)).max(ENTRY_TYPES.length).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  cursor: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});
export type ListQueryInput = z.input<typeof listQuerySchema>;

/** The filters of the CSV export: a list query without its paging. */
export const exportFilterSchema = listQuerySchema.pick({ types: true, from: true, to: true });
export type ExportFilterInput = z.input<typeof exportFilterSchema>;

/** Parses or throws one InvalidInputError naming every problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error, "(input)");
  throw new InvalidInputError(joinIssues(issues), issues);
}
