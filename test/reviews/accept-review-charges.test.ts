import { describe, expect, it } from "@jest/globals";
import { NO_BUDGETS, type BudgetRules } from "../../src/accounts/budget-rules.js";
import { toAccountId, type AccountId } from "../../src/accounts/types.js";
import type { SeatLimit } from "../../src/billing/seat-limit.js";
import { Ledger } from "../../src/ledger/ledger.js";
import type { BudgetWarning } from "../../src/ledger/month-use.js";
import type { ReviewTrigger } from "../../src/reviews/accept-review.js";
import type { ReplyJob } from "../../src/reviews/jobs.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { acceptReviewOn, reviewTrigger } from "../support/runs.js";

/**
 * What accepting a review charges, and what stops it before the charge: the charge names what
 * the budgets and the usage pages count it by, the plan's seat limit stops a run before any
 * budget does (an admin's override included), and a charge that takes a budget to its share
 * warns the billing contacts once, for the month it was made in.
 */
const acme = toAccountId(9001);
const PR = { repositoryId: 501, repository: "Acme-Corp/widgets", number: 12 };
const HEAD = "c".repeat(40);

const URL = "https://github.com/Acme-Corp/widgets/pull/12";

const trigger = (over: Partial<ReviewTrigger> = {}) => reviewTrigger(acme, PR, HEAD, over);

async function setup(
  options: { credits?: number; budgets?: BudgetRules; seatLimit?: SeatLimit } = {},
) {
  const store = createMemoryStore();
  const ledger = new Ledger({ store: store.ledger, freePerMonth: options.credits ?? 3 });
  await store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
  if (options.budgets) await store.accounts.setBudgets(acme, options.budgets);
  await ledger.ensureFreeTier(acme);
  const replies: { id: string; job: ReplyJob }[] = [];
  const warned: { accountId: AccountId; period: string; warnings: BudgetWarning[] }[] = [];
  const accept = acceptReviewOn(store, ledger, {
    enqueueReply: async (job, id) => {
      replies.push({ id, job });
    },
    warnBudgets: async (accountId, period, warnings) => {
      warned.push({ accountId, period, warnings });
    },
    ...(options.seatLimit && { seatLimit: options.seatLimit }),
  });
  const usage = () => store.ledger.list(acme, { types: ["usage"], limit: 10 });
  return { store, ledger, accept, replies, warned, usage };
}

describe("accepting a review: what is charged, and what stops it first", () => {
  it("charges the pull request with its repository, number, address, head and author", async () => {
    const { accept, usage } = await setup();
    expect(await accept.accept(trigger({ author: "octo-dev" }))).toMatchObject({
      status: "queued",
    });
    const [charge] = await usage();
    expect(charge?.description).toBe("Review of Acme-Corp/widgets#12");
    expect(charge?.reference).toStrictEqual({
      kind: "pull_request",
      repository: "Acme-Corp/widgets",
      repositoryId: 501,
      number: 12,
      url: URL,
      headSha: HEAD,
      author: "octo-dev",
    });
  });

  it("names no author on a charge made without one (a resumed run's is unknown)", async () => {
    const { accept, usage } = await setup();
    await accept.accept(trigger());
    const [charge] = await usage();
    expect(charge?.reference).not.toHaveProperty("author");
    expect(charge?.reference).toMatchObject({ kind: "pull_request", number: 12 });
  });

  it("stops a run at the plan's seat limit before charging, an admin's override included, and says when it lifts", async () => {
    const resetsOn = new Date("2026-12-20T00:00:00Z");
    const asked: string[] = [];
    const seatLimit: SeatLimit = async (accountId, author) => {
      asked.push(`${accountId}:${author}`);
      return author === "octo-new" ? { cap: 5, used: 5, resetsOn } : null;
    };
    const { accept, usage, replies } = await setup({ seatLimit });
    const stopped = await accept.accept(trigger({ author: "octo-new", overBudget: true }));
    expect(stopped).toMatchObject({
      status: "over_budget",
      stop: { budget: "seats", cap: 5, used: 5 },
      resetsOn,
    });
    expect(await usage()).toStrictEqual([]);
    expect(replies.map((r) => r.job)).toStrictEqual([
      expect.objectContaining({
        kind: "budget_notice",
        stop: { budget: "seats", cap: 5, used: 5 },
        author: "octo-new",
        resetsOn: "2026-12-20T00:00:00.000Z",
      }),
    ]);

    // A seat held, or no author to count: charged.
    const other = { ...PR, number: 13 };
    expect(await accept.accept(trigger({ pr: other, author: "octo-dev" }))).toMatchObject({
      status: "queued",
    });
    expect(await accept.accept(trigger({ pr: { ...PR, number: 14 } }))).toMatchObject({
      status: "queued",
    });
    expect(asked).toStrictEqual(["9001:octo-new", "9001:octo-dev"]);
    expect((await usage()).length).toBe(2);
  });

  it("warns once, for the charge's month, when a charge takes a budget to the account's share", async () => {
    const { accept, usage, warned } = await setup({
      budgets: { ...NO_BUDGETS, account: 4, warnAtPercent: 50 },
    });
    await accept.accept(trigger({ author: "octo-dev" }));
    expect(warned).toStrictEqual([]);
    await accept.accept(trigger({ pr: { ...PR, number: 13 }, author: "octo-dev" }));
    const [second] = await usage();
    expect(warned).toStrictEqual([
      {
        accountId: acme,
        period: second!.createdAt.toISOString().slice(0, 7),
        warnings: [expect.objectContaining({ budget: "account", cap: 4, used: 2 })],
      },
    ]);
  });

  it("holds a charge to the budgets unless an admin overrides them; the month's warning is not given again", async () => {
    const { accept, usage, warned } = await setup({
      budgets: { ...NO_BUDGETS, account: 1, warnAtPercent: 100 },
    });
    await accept.accept(trigger({ author: "octo-dev" }));
    expect(warned).toHaveLength(1);
    const held = await accept.accept(trigger({ pr: { ...PR, number: 13 } }));
    expect(held).toMatchObject({ status: "over_budget", stop: { budget: "account", cap: 1 } });
    const overridden = await accept.accept(
      trigger({ pr: { ...PR, number: 14 }, overBudget: true, source: "command" }),
    );
    expect(overridden).toMatchObject({ status: "queued" });
    expect((await usage()).length).toBe(2);
    expect(warned).toHaveLength(1);
  });
});
