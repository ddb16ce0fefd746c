import { describe, expect, it } from "@jest/globals";
import type {
  AdjustInput,
  ChargeInput,
  GrantInput,
  PlanGrantInput,
} from "../../src/ledger/inputs.js";
import type { InputIssue } from "../../src/shared/errors.js";
import { InvalidInputError } from "../../src/shared/errors.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { makeLedger, newAccountId, planGrant, TestClock } from "../support/ledger-fixture.js";

/**
 * What the ledger accepts, field by field, as each Ledger method sees it: a value just inside
 * a rule is written, one just outside is refused with an InvalidInputError naming the field
 * and the rule, and nothing is written.
 */

let n = 0;
const key = () => `k${++n}`;

function setup() {
  const store = createMemoryStore();
  const { ledger } = makeLedger(store, new TestClock(), 3);
  return { ledger, store, id: newAccountId() };
}

/** The issues a refused call names; throws if the call went through. */
async function issuesOf(call: Promise<unknown>): Promise<InputIssue[]> {
  try {
    await call;
  } catch (error) {
    if (error instanceof InvalidInputError) return [...error.issues];
    throw error;
  }
  throw new Error("the call went through");
}

const pull = (over: Record<string, unknown>) =>
  ({
    kind: "pull_request",
    repository: "acme/api",
    number: 1,
    ...over,
  }) as ChargeInput["reference"];

const charge = (over: Partial<ChargeInput>): ChargeInput => ({
  action: "review",
  description: "Review",
  idempotencyKey: key(),
  ...over,
});

const stripe = (over: Record<string, unknown>) =>
  ({ kind: "stripe", ...over }) as GrantInput["reference"];

const buy = (over: Partial<GrantInput>): GrantInput => ({
  type: "purchase",
  amount: 5,
  description: "Credits",
  idempotencyKey: key(),
  ...over,
});

describe("the ledger's input rules", () => {
  it("takes idempotency keys of printable ASCII without spaces, not the ledger's own prefixes", async () => {
    const { ledger, id } = setup();
    const reserved =
      "must not start with refund:, free-tier:, free-expiration:, bonus-expiration:, plan:, plan-expiration: (reserved for the ledger)";
    const ascii = "must be printable ASCII without spaces";
    for (const bad of [" lead", "trail ", "in side", "naïve"]) {
      expect(await issuesOf(ledger.charge(id, charge({ idempotencyKey: bad })))).toEqual([
        { path: "idempotencyKey", message: ascii },
      ]);
    }
    expect(await issuesOf(ledger.charge(id, charge({ idempotencyKey: "refund:x" })))).toEqual([
      { path: "idempotencyKey", message: reserved },
    ]);
    const ok = await ledger.charge(id, charge({ idempotencyKey: "!~run-1" }));
    expect(ok.status).toBe("created");
  });

  it("takes a pull request's repository, author, head SHA and URL as GitHub gives them", async () => {
    const { ledger, id } = setup();
    const refused = async (over: Record<string, unknown>) =>
      issuesOf(ledger.charge(id, charge({ reference: pull(over) })));
    const repo = "must be owner/name";
    for (const bad of ["-acme/api", "acme/api!", "acme/.", "acme/..", "acme"]) {
      expect(await refused({ repository: bad })).toEqual([
        { path: "reference.repository", message: repo },
      ]);
    }
    for (const bad of ["-bob", "bob!"]) {
      expect(await refused({ author: bad })).toEqual([
        { path: "reference.author", message: "must be a GitHub login" },
      ]);
    }
    for (const bad of [
      "g".repeat(40),
      `x${"a".repeat(40)}`,
      `${"a".repeat(40)}x`,
      "a".repeat(41),
    ]) {
      expect(await refused({ headSha: bad })).toEqual([
        { path: "reference.headSha", message: "must be a commit SHA" },
      ]);
    }
    for (const bad of ["ftp://example.com/x", "xhttps://example.com/x", "httpsx://example.com/x"]) {
      expect((await refused({ url: bad })).map((i) => i.path)).toEqual(["reference.url"]);
    }
    const fine = [
      { repository: "acme/.github", author: "dependabot[bot]", headSha: "a".repeat(40) },
      { repository: "a-c_me/x.y", headSha: "b".repeat(64), url: "http://example.com/1" },
      { url: "https://github.com/acme/api/pull/1", author: "b" },
    ];
    for (const over of fine) {
      expect((await ledger.charge(id, charge({ reference: pull(over) }))).status).toBe("created");
    }
  });

  it("takes a Stripe reference's ids, amount paid, currency and top-up as Stripe gives them", async () => {
    const { ledger, id } = setup();
    const refused = async (over: Record<string, unknown>) =>
      issuesOf(ledger.grant(id, buy({ reference: stripe(over) })));
    for (const bad of ["-cs_1", "cs_1-", "cs 1"]) {
      expect(await refused({ checkoutSession: bad })).toEqual([
        { path: "reference.checkoutSession", message: "must be a Stripe object id" },
      ]);
    }
    for (const bad of ["USD", "1usd", "usdx", "us"]) {
      expect(await refused({ currency: bad })).toEqual([
        { path: "reference.currency", message: "must be a lowercase currency code" },
      ]);
    }
    expect((await refused({ paidCents: -1 })).map((i) => i.path)).toEqual(["reference.paidCents"]);
    expect((await refused({ autoTopUp: "" })).map((i) => i.path)).toEqual(["reference.autoTopUp"]);
    expect((await refused({ autoTopUp: "x".repeat(201) })).map((i) => i.path)).toEqual([
      "reference.autoTopUp",
    ]);
    const fine = [
      { checkoutSession: "cs_test_1", paidCents: 0, currency: "eur", autoTopUp: "a" },
      { paymentIntent: "pi_1", paidCents: 123_456, autoTopUp: "x".repeat(200) },
    ];
    for (const over of fine) {
      expect((await ledger.grant(id, buy({ reference: stripe(over) }))).status).toBe("created");
    }
  });

  it("takes an operator's name, a non-zero adjustment, and expiry on bonus credits only", async () => {
    const { ledger, id } = setup();
    const adjust = (over: Partial<AdjustInput>): AdjustInput => ({
      amount: 1,
      bucket: "purchased",
      description: "By hand",
      idempotencyKey: key(),
      ...over,
    });
    for (const actor of ["", "   ", "x".repeat(101)]) {
      const reference = { kind: "operator", actor } as const;
      expect((await issuesOf(ledger.adjust(id, adjust({ reference })))).map((i) => i.path)).toEqual(
        ["reference.actor"],
      );
    }
    expect(await issuesOf(ledger.adjust(id, adjust({ amount: 0 })))).toEqual([
      { path: "amount", message: "must not be zero" },
    ]);
    const expiresAt = new Date("2027-01-01T00:00:00Z");
    expect(await issuesOf(ledger.grant(id, buy({ expiresAt })))).toEqual([
      { path: "expiresAt", message: "only bonus credits expire" },
    ]);
    const ok = await ledger.adjust(id, adjust({ reference: { kind: "operator", actor: "ops" } }));
    expect(ok.status).toBe("created");
  });

  it("takes plan grants with a plan id, a subscription id and a month that ends after it starts", async () => {
    const { ledger, id } = setup();
    const month = {
      start: new Date("2026-11-01T00:00:00Z"),
      end: new Date("2026-12-01T00:00:00Z"),
    };
    const refused = async (over: Partial<PlanGrantInput>) =>
      issuesOf(ledger.grantPlan(id, planGrant(month, over)));
    for (const plan of ["-pro", "Pro", "pro!"]) {
      expect(await refused({ plan })).toEqual([{ path: "plan", message: "must be a plan id" }]);
    }
    for (const subscription of [" sub_1", "sub_1 ", "sub/1"]) {
      expect(await refused({ subscription })).toEqual([
        { path: "subscription", message: "must be a subscription id" },
      ]);
    }
    expect(await refused({ monthEnd: month.start })).toEqual([
      { path: "monthEnd", message: "must be after monthStart" },
    ]);
  });
});
