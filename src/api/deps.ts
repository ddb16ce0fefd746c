import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Ledger } from "../ledger/ledger.js";
import type { AccountStore, LedgerStore } from "../store/repository.js";
import type { ApiKeyStore } from "./auth/api-keys.js";
import type { GitHubAuth } from "./auth/github-auth.js";

export interface CreditPackage {
  id: string;
  name: string;
  description: string;
  credits: number;
  /** Whole US cents. */
  priceCents: number;
}

export interface CheckoutInput {
  accountId: number;
  accountLogin: string;
  packageId: string;
  /**
   * The same for retries of one client request (from its Idempotency-Key), else random: meant
   * as Stripe's idempotency key, so a retried request gets the same Checkout Session.
   */
  requestKey: string;
}

export type CheckoutResult =
  | { status: "created"; url: string; sessionId: string }
  | { status: "unknown_package" }
  /** Stripe is not configured. */
  | { status: "unavailable" };

export interface BillingApiDeps {
  accounts: AccountStore;
  ledgerStore: LedgerStore;
  ledger: Pick<Ledger, "summary">;
  apiKeys: ApiKeyStore;
  packages: readonly CreditPackage[];
  checkout(input: CheckoutInput): Promise<CheckoutResult>;
  github: GitHubAuth;
  /** Requests per credential (else per IP) and window; default 300 a minute. */
  rateLimit?: { max: number; timeWindowMs: number };
  /** The name people command the bot by, for the "paused" banner; default "jasper". */
  botName?: string;
}

/** The Fastify instance routes are declared on: zod schemas give the request and reply types. */
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;
