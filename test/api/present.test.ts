import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { formatCents, formatPerCredit } from "../../src/api/present.js";

describe("money formatting", () => {
  it("writes cents as dollars with two decimals", () => {
    expect(formatCents(12250)).toBe("122.50");
    expect(formatCents(3000)).toBe("30.00");
    expect(formatCents(5)).toBe("0.05");
    expect(formatCents(0)).toBe("0.00");
    expect(formatCents(-199)).toBe("-1.99");
  });

  it("writes the price per credit with 2 to 4 decimals, rounded half up", () => {
    expect(formatPerCredit(3000, 100)).toBe("0.30");
    expect(formatPerCredit(12250, 500)).toBe("0.245");
    expect(formatPerCredit(39600, 2000)).toBe("0.198");
    expect(formatPerCredit(1000, 3)).toBe("3.3333");
    expect(formatPerCredit(2000, 3)).toBe("6.6667");
    expect(formatPerCredit(100, 1)).toBe("1.00");
    expect(formatPerCredit(1, 100)).toBe("0.0001");
    expect(formatPerCredit(1, 200)).toBe("0.0001");
    expect(formatPerCredit(1, 201)).toBe("0.00");
  });

  it("is within half a hundredth of a cent of the exact price", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (cents, credits) => {
          const shown = Number(formatPerCredit(cents, credits));
          expect(Math.abs(shown - cents / 100 / credits)).toBeLessThanOrEqual(0.00005 + 1e-12);
          expect(formatPerCredit(cents, credits)).toMatch(/^\d+\.\d{2,4}$/);
        },
      ),
    );
  });
});
