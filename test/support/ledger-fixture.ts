import type { ChargeInput, GrantInput, PlanGrantInput } from "../../src/ledger/inputs.js";
import { Ledger } from "../../src/ledger/ledger.js";
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

export function makeLedger(store: Store, clock = new TestClock(), freePerMonth = 3) {
  return { ledger: new Ledger({ store: store.ledger, now: clock.now, freePerMonth }), clock };
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
