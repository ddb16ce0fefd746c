import { describe, expect, it } from "@jest/globals";
import { InvalidInputError } from "../../src/shared/errors.js";
import type { ChargeInput, GrantInput, RefundInput } from "../../src/ledger/inputs.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { makeLedger, newAccountId } from "../support/ledger-fixture.js";

/**
 * The ledger's write methods are typed with the schemas' input types (npm run typecheck checks
 * the @ts-expect-error lines below), and still parse at run time, because a value typed right
 * here can still come from JSON or a cast.
 */
describe("typed ledger inputs", () => {
  it("accept what the schemas accept, optional fields left out", async () => {
    const { ledger } = makeLedger(createMemoryStore());
    const id = newAccountId();
    const grant: GrantInput = { type: "bonus", amount: 2, description: "d", idempotencyKey: "g" };
    await ledger.grant(id, grant);
    const charge: ChargeInput = { action: "review", description: "r", idempotencyKey: "c" };
    expect((await ledger.charge(id, charge)).status).toBe("created");
    // No description: the refund's own default ("Refund: ...") applies.
    const refund: RefundInput = { chargeKey: "c" };
    expect(await ledger.refund(id, refund)).toMatchObject({
      status: "created",
      entry: { description: "Refund: r" },
    });
  });

  it("refuse at compile time what the schemas refuse, and still at run time", async () => {
    const { ledger } = makeLedger(createMemoryStore());
    const id = newAccountId();
    const calls = [
      // @ts-expect-error: not a billable action
      () => ledger.charge(id, { action: "deploy", description: "x", idempotencyKey: "k1" }),
      // @ts-expect-error: grants are purchases or bonuses
      () => ledger.grant(id, { type: "gift", amount: 1, description: "x", idempotencyKey: "k2" }),
      () =>
        // @ts-expect-error: amounts are numbers
        ledger.grant(id, { type: "bonus", amount: "1", description: "x", idempotencyKey: "k3" }),
      () =>
        // @ts-expect-error: no such bucket
        ledger.adjust(id, { amount: 1, bucket: "gold", description: "x", idempotencyKey: "k4" }),
      // @ts-expect-error: a refund names its charge
      () => ledger.refund(id, {}),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(InvalidInputError);
  });
});
