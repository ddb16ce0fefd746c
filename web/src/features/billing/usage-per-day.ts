import { utcDay } from "../../shared/format";
import type { Transaction } from "./api";

export interface DayUsage {
  day: string;
  used: number;
}

/**
 * Credits used on each of the last `days` UTC days, net of refunds: a usage entry spends
 * (-amount), a refund gives back (+amount, subtracted). Days without activity count 0.
 */
export function usagePerDay(entries: Transaction[], today: Date, days = 30): DayUsage[] {
  const out: DayUsage[] = [];
  const index = new Map<string, DayUsage>();
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i),
    );
    const row = { day: utcDay(d), used: 0 };
    out.push(row);
    index.set(row.day, row);
  }
  for (const e of entries) {
    const row = index.get(e.createdAt.slice(0, 10));
    if (!row) continue;
    if (e.type === "usage") row.used += -e.amount;
    else if (e.type === "refund") row.used -= e.amount;
  }
  for (const row of out) row.used = Math.max(0, row.used);
  return out;
}
