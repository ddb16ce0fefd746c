import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import Fastify, { type FastifyInstance } from "fastify";
import { billingApi } from "../../src/api/billing-api.js";
import { generateApiKey } from "../../src/accounts/api-keys.js";
import type { ApiKeyStore } from "../../src/accounts/api-key-store.js";
import type { AccountRef, GitHubAuth, GitHubUser } from "../../src/api/auth/github-auth.js";
import type { BillingApiDeps, CheckoutInput, CheckoutResult } from "../../src/api/deps.js";
import { apiFrameworkErrors } from "../../src/api/errors.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { toAccountId, type Account } from "../../src/accounts/types.js";
import { MemoryApiKeyStore } from "../../src/store/memory/memory-api-key-store.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { TestClock } from "../support/ledger-fixture.js";

export const PACKAGES = [...DEFAULT_PACKAGES];

/**
 * GitHub as the tests want it: `admin-<login>` tokens administer that org (or are that user),
 * `member-<login>` tokens belong to someone who is not, anything else GitHub refuses.
 */
export class FakeGitHubAuth implements GitHubAuth {
  calls = 0;
  async identify(token: string): Promise<GitHubUser | null> {
    this.calls++;
    const m = /^(admin|member)-(.+)$/.exec(token);
    return m ? { id: m[1] === "admin" ? 1 : 2, login: `${m[1]}-of-${m[2]}` } : null;
  }
  async canAdminister(token: string, account: AccountRef): Promise<boolean> {
    this.calls++;
    return token.toLowerCase() === `admin-${account.login.toLowerCase()}`;
  }
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  apiKeys: ApiKeyStore;
  ledger: Ledger;
  clock: TestClock;
  github: FakeGitHubAuth;
  /** Checkout Sessions the fake checkout created. */
  checkouts: CheckoutInput[];
  orgA: Account;
  orgB: Account;
  /** A working API key of each org. */
  keyA: string;
  keyB: string;
  auth(token: string): { authorization: string };
}

export interface HarnessOptions {
  checkout?: (input: CheckoutInput) => Promise<CheckoutResult>;
  rateLimit?: BillingApiDeps["rateLimit"];
  github?: GitHubAuth;
}

/** The API on its own Fastify server, over the in-memory store, with two orgs and a key each. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const store = createMemoryStore();
  const apiKeys = new MemoryApiKeyStore();
  const clock = new TestClock();
  const ledger = new Ledger({ store: store.ledger, now: clock.now, freePerMonth: 3 });
  const github = new FakeGitHubAuth();
  const checkouts: CheckoutInput[] = [];
  const orgA = await store.accounts.upsert({
    id: toAccountId(101),
    login: "Acme-Corp",
    type: "Organization",
  });
  const orgB = await store.accounts.upsert({
    id: toAccountId(202),
    login: "Globex",
    type: "Organization",
  });
  await ledger.ensureFreeTier(orgA.id);
  await ledger.ensureFreeTier(orgB.id);
  const keyA = await storeKey(apiKeys, orgA, "ci");
  const keyB = await storeKey(apiKeys, orgB, "ci");

  // frameworkErrors as the web server sets it (see src/api/errors.ts).
  const app = Fastify({ frameworkErrors: apiFrameworkErrors });
  await app.register(
    billingApi({
      accounts: store.accounts,
      ledger,
      apiKeys,
      packages: PACKAGES,
      github: options.github ?? github,
      rateLimit: options.rateLimit ?? { max: 1_000_000, timeWindowMs: 60_000 },
      checkout:
        options.checkout ??
        (async (input) => {
          // Only sessions created are recorded: they are what a refused request must not make.
          if (!PACKAGES.some((p) => p.id === input.packageId)) return { status: "unknown_package" };
          checkouts.push(input);
          return {
            status: "created",
            url: `https://checkout.stripe.com/c/pay/cs_test_${checkouts.length}`,
            sessionId: `cs_test_${checkouts.length}`,
          };
        }),
    }),
  );
  await app.ready();
  return {
    app,
    store,
    apiKeys,
    ledger,
    clock,
    github,
    checkouts,
    orgA,
    orgB,
    keyA,
    keyB,
    auth: (token) => ({ authorization: `Bearer ${token}` }),
  };
}

async function storeKey(apiKeys: ApiKeyStore, account: Account, name: string): Promise<string> {
  const { key, hash, prefix } = generateApiKey();
  await apiKeys.create({ accountId: account.id, name, hash, prefix });
  return key;
}
