import type { ChargeInput, GrantInput, PlanGrantInput } from "../../src/ledger/inputs.js";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerEntry, Lot } from "../../src/ledger/types.js";
import { toAccountId, type AccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private current = new Date("2026-11-10T12:00:00Z")) {}
  now = (): Date => new Date(this.current);
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

/** A ledger on the test clock; with `reviewCost`, a review costs that (chats and commands 0). */
export function makeLedger(
  store: Store,
  clock = new TestClock(),
  freePerMonth = 3,
  reviewCost?: number,
) {
  const costs =
    reviewCost === undefined ? {} : { costs: { review: reviewCost, chat: 0, command: 0 } };
  return {
    ledger: new Ledger({ store: store.ledger, now: clock.now, freePerMonth, ...costs }),
    clock,
  };
}

let nextId = 1000;
export const newAccountId = (): AccountId => toAccountId(nextId++);

export const prRef = (number: number) => ({
  kind: "pull_request" as const,
  repository: "acme/widgets",
  number,
  url: `https://github.com/acme/widgets/pull/${number}`,
  headSha: "a".repeat(40),
});

export const reviewCharge = (key: string, number = 1): ChargeInput => ({
  action: "review",
  description: `Review of acme/widgets#${number}`,
  reference: prRef(number),
  idempotencyKey: key,
});

export const purchase = (key: string, amount: number): GrantInput => ({
  type: "purchase",
  amount,
  description: `${amount} credits purchased`,
  idempotencyKey: key,
});

/** A plan month of sub_1 on Pro (5 credits), the plan tests' default grant; `over` changes it. */
export const planGrant = (
  m: { start: Date; end: Date },
  over: Partial<PlanGrantInput> = {},
): PlanGrantInput => ({
  subscription: "sub_1",
  plan: "pro",
  monthStart: m.start,
  monthEnd: m.end,
  credits: 5,
  otherPlans: ["pro", "team"],
  description: "Pro plan credits",
  ...over,
});

/** A bonus grant of `amount` credits, expiring at `expiresAt` when given. */
export const bonus = (key: string, amount: number, expiresAt?: string): GrantInput => ({
  type: "bonus",
  amount,
  description: `${amount} bonus credits`,
  idempotencyKey: key,
  ...(expiresAt ? { expiresAt: new Date(expiresAt) } : {}),
});

/** The entry a ledger call wrote; any other outcome fails the test. */
export const entryOf = (r: unknown): LedgerEntry => {
  if (typeof r === "object" && r !== null && "entry" in r)
    return (r as { entry: LedgerEntry }).entry;
  throw new Error(`no entry written: ${JSON.stringify(r)}`);
};

/** A bonus lot as an entry lists it: `expiresAt` null for one that never expires. */
export const lot = (id: number, remaining: number, expiresAt: string | null = null): Lot => ({
  lot: id,
  expiresAt: expiresAt === null ? null : new Date(expiresAt),
  remaining,
});

/** A ledger without a free tier, on the test clock, and an account holding `credits` bought. */
export async function fundedAccount(store: Store, credits: number, clock = new TestClock()) {
  const id = newAccountId();
  const { ledger } = makeLedger(store, clock, 0);
  await ledger.grant(id, purchase("buy", credits));
  return { clock, id, ledger };
}

/** A pull request of acme/api (repository id 11) by `author`: what most budget suites charge. */
export const apiPr = (number: number, author = "bob") => ({
  kind: "pull_request" as const,
  repository: "acme/api",
  repositoryId: 11,
  number,
  author,
});
