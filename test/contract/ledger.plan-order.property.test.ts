import { afterEach, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { BUCKETS, type Bucket, type BucketAmounts } from "../../src/ledger/types.js";
import {
  makeLedger,
  newAccountId,
  purchase,
  reviewCharge,
  TestClock,
} from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { propertyRuns } from "../support/property-runs.js";

const FREE = 1;
const PLANS = { pro: 2, team: 4 } as const;
type PlanId = keyof typeof PLANS;

/** The subscription's months start on the 10th, 00:00 UTC; the month `at` falls in. */
function subscriptionMonth(at: Date): { start: Date; end: Date } {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() - (at.getUTCDate() < 10 ? 1 : 0);
  return { start: new Date(Date.UTC(y, m, 10)), end: new Date(Date.UTC(y, m + 1, 10)) };
}

type Op =
  | { kind: "charge" }
  | { kind: "refund"; pick: number }
  | { kind: "plan"; plan: PlanId; upgrade: boolean }
  | { kind: "bonus"; amount: number }
  | { kind: "purchase"; amount: number }
  | { kind: "wait"; hours: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: "charge" as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("refund" as const), pick: fc.nat(3) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("plan" as const),
      plan: fc.constantFrom<PlanId>("pro", "team"),
      upgrade: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("bonus" as const),
      amount: fc.integer({ min: 1, max: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("purchase" as const),
      amount: fc.integer({ min: 1, max: 2 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("wait" as const),
      hours: fc.integer({ min: 1, max: 24 * 20 }),
    }),
  },
);

describe.each(storeFactories())(
  "the spend order with the plan bucket on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("spends free, plan, bonus, purchased; plan credits never outlive their month", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(op, { minLength: 5, maxLength: 50, size: "max" }),
          async (ops) => {
            const store = await create();
            const clock = new TestClock(new Date("2026-11-25T12:00:00Z"));
            const { ledger } = makeLedger(store, clock, FREE);
            const id = newAccountId();
            await ledger.ensureFreeTier(id);

            // The model: buckets, the plan month's end, what each month's grant keys granted.
            const model: BucketAmounts = { free: FREE, plan: 0, bonus: 0, purchased: 0 };
            let planEnd: number | null = null;
            let freeMonth = clock.now().toISOString().slice(0, 7);
            const keys = new Map<string, number>();
            const charges: { key: string; bucket: Bucket; refunded: boolean }[] = [];
            let n = 0;

            const settle = () => {
              const now = clock.now();
              if (planEnd !== null && planEnd <= now.getTime()) model.plan = 0;
              const month = now.toISOString().slice(0, 7);
              if (month !== freeMonth) {
                model.free = FREE;
                freeMonth = month;
              }
            };

            for (const o of ops) {
              n++;
              if (o.kind === "wait") {
                clock.set(new Date(clock.now().getTime() + o.hours * 3_600_000).toISOString());
                settle();
              } else if (o.kind === "charge") {
                const r = await ledger.charge(id, reviewCharge(`c${n}`, n));
                settle();
                const first = BUCKETS.find((b) => model[b] > 0);
                if (!first) {
                  expect(r.status).toBe("insufficient");
                  continue;
                }
                if (r.status !== "created") throw new Error(`charge: ${r.status}`);
                const taken = BUCKETS.filter((b) => r.entry.deltas[b] < 0);
                expect(taken).toEqual([first]);
                model[first]--;
                charges.push({ key: `c${n}`, bucket: first, refunded: false });
              } else if (o.kind === "refund") {
                // Mostly one of the last few charges: a plan credit refunded after its month is the case.
                const c = charges[charges.length - 1 - (o.pick % Math.max(1, charges.length))];
                if (!c) continue;
                const r = await ledger.refund(id, { chargeKey: c.key });
                settle();
                expect(r.status).toBe(c.refunded ? "replayed" : "created");
                if (c.refunded) continue;
                c.refunded = true;
                const live = planEnd !== null && planEnd > clock.now().getTime();
                const to: Bucket = c.bucket === "plan" && !live ? "bonus" : c.bucket;
                model[to]++;
              } else if (o.kind === "plan") {
                const m = subscriptionMonth(clock.now());
                const r = await ledger.grantPlan(id, {
                  subscription: "sub_p",
                  plan: o.plan,
                  monthStart: m.start,
                  monthEnd: m.end,
                  credits: PLANS[o.plan],
                  upgrade: o.upgrade,
                  otherPlans: ["pro", "team"],
                  description: "plan credits",
                });
                settle();
                const key = `${m.start.toISOString()}:${o.upgrade ? o.plan : ""}`;
                const month = [...keys].filter(([k]) => k.startsWith(m.start.toISOString()));
                const granted = month.reduce((sum, [, v]) => sum + v, 0);
                if (keys.has(key)) {
                  expect(r.status).toBe("replayed");
                } else if (PLANS[o.plan] - granted <= 0) {
                  expect(r).toEqual({ status: "covered" });
                } else {
                  expect(r).toMatchObject({
                    status: "created",
                    entry: { amount: PLANS[o.plan] - granted },
                  });
                  keys.set(key, PLANS[o.plan] - granted);
                  model.plan += PLANS[o.plan] - granted;
                  planEnd = m.end.getTime();
                }
              } else {
                const grant =
                  o.kind === "bonus"
                    ? {
                        type: "bonus" as const,
                        amount: o.amount,
                        description: "promo",
                        idempotencyKey: `g${n}`,
                      }
                    : purchase(`g${n}`, o.amount);
                await ledger.grant(id, grant);
                settle();
                model[o.kind === "bonus" ? "bonus" : "purchased"] += o.amount;
              }
              expect((await ledger.summary(id)).buckets).toEqual(model);
            }
            expect((await verifyLedger(store.ledger)).problems).toEqual([]);
          },
        ),
        { numRuns: propertyRuns(100) },
      );
    }, 120_000);
  },
);
