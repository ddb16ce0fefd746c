import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Ledger } from "../ledger/ledger.js";
import type { AccountStore } from "../accounts/account-store.js";
import type { ApiKeyStore } from "../accounts/api-key-store.js";
import type { GitHubAuth } from "./auth/github-auth.js";

// One definition each, where checkout and packages are made (src/billing).
export type { CheckoutInput, CheckoutResult } from "../billing/create-checkout.js";
export type { CreditPackage } from "../billing/packages.js";
import type { CheckoutInput, CheckoutResult } from "../billing/create-checkout.js";
import type { CreditPackage } from "../billing/packages.js";

export interface BillingApiDeps {
  accounts: AccountStore;
  ledger: Pick<Ledger, "summary" | "list" | "export">;
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
