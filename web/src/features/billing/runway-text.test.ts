import { describe, expect, it } from "@jest/globals";
import { runwayText } from "./runway-text";

const today = new Date("2026-11-20T15:00:00Z");

describe("the runway note", () => {
  it("says an empty balance has nothing left, not that it lasts until today", () => {
    const runway = { dailySpend: 0.21, runsOutOn: "2026-11-20", moreThan90Days: false };
    expect(runwayText(runway, 0, today)).toBe(
      "No credits left: nothing to forecast until you buy credits.",
    );
    // Empty and idle: still nothing left, rather than "nothing spent".
    expect(runwayText({ ...runway, dailySpend: 0 }, 0, today)).toBe(
      "No credits left: nothing to forecast until you buy credits.",
    );
  });

  it("says the last credits run out today at a fast pace", () => {
    const runway = { dailySpend: 4, runsOutOn: "2026-11-20", moreThan90Days: false };
    expect(runwayText(runway, 2, today)).toBe(
      "At the last 14 days' pace, the credits left run out today.",
    );
  });

  it("gives the day, or more than 90 days, or no pace at all", () => {
    expect(
      runwayText({ dailySpend: 1, runsOutOn: "2026-12-04", moreThan90Days: false }, 14, today),
    ).toBe("At the last 14 days' pace, credits last until Dec 4, 2026.");
    expect(runwayText({ dailySpend: 0.1, runsOutOn: null, moreThan90Days: true }, 20, today)).toBe(
      "At the last 14 days' pace, credits last more than 90 days.",
    );
    expect(runwayText({ dailySpend: 0, runsOutOn: null, moreThan90Days: true }, 20, today)).toBe(
      "No credits spent in the last 14 days: nothing to forecast.",
    );
  });
});
