import type { Schemas } from "../../api/client";
import { date } from "../../shared/format";

type Runway = NonNullable<Schemas["BillingSummary"]["runway"]>;

/**
 * How long the balance lasts at the recent pace (src/usage/runway.ts). No net spend in the
 * window is no pace at all: the API says "more than 90 days" then, the page says why.
 */
export function RunwayNote({ runway }: { runway: Runway }) {
  const text =
    runway.dailySpend === 0
      ? "No credits spent in the last 14 days: nothing to forecast."
      : runway.runsOutOn
        ? `At the last 14 days' pace, credits last until ${date(runway.runsOutOn)}.`
        : "At the last 14 days' pace, credits last more than 90 days.";
  return (
    <p class="runway" data-testid="runway">
      {text}
    </p>
  );
}
