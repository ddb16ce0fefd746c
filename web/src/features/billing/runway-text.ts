import type { Schemas } from "../../api/client";
import { date, utcDay } from "../../shared/format";

export type Runway = NonNullable<Schemas["BillingSummary"]["runway"]>;

/**
 * How long the balance lasts at the recent pace (src/usage/runway.ts), in words. No net spend
 * in the window is no pace at all: the API says "more than 90 days" then, the page says why.
 * An empty balance has nothing to forecast: the API's "runs out today" would read as if
 * credits were left for today.
 */
export function runwayText(runway: Runway, balance: number, today: Date): string {
  if (balance <= 0) return "No credits left: nothing to forecast until you buy credits.";
  if (runway.dailySpend === 0) return "No credits spent in the last 14 days: nothing to forecast.";
  if (runway.runsOutOn === utcDay(today))
    return "At the last 14 days' pace, the credits left run out today.";
  if (runway.runsOutOn)
    return `At the last 14 days' pace, credits last until ${date(runway.runsOutOn)}.`;
  return "At the last 14 days' pace, credits last more than 90 days.";
}
