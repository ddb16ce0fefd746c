import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";
import { saveCard } from "../support/top-up-fixtures.js";

/**
 * The rules tying auto top-up's settings together, at their edges, through the API: the
 * threshold may be as high as the package's credits, one top-up a month is a limit, and
 * switching it off needs neither a card nor a limit.
 */
const ADMIN_A = "admin-acme-corp";
const URL = "/api/v1/organizations/Acme-Corp/billing/auto-top-up";

afterEach(closeHarnesses);

describe("auto top-up's rules at their edges, through the API", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });

  const put = (payload: object) =>
    h.server.inject({ method: "PUT", url: URL, headers: h.auth(ADMIN_A), payload });
  const stored = () => h.store.autoTopUp.find(h.orgA.id);
  // Growth: 500 credits for $122.50.
  const on = {
    enabled: true,
    package: "growth",
    thresholdCredits: 20,
    monthlyMaxCount: 2,
    monthlyMaxCents: 24_500,
  };
  const asStored = ({ package: packageId, ...rest }: typeof on) => ({ packageId, ...rest });

  it("takes a threshold of exactly the package's credits and a limit of exactly one top-up", async () => {
    await saveCard(h.store, h.orgA.id, "cus_TAcme", h.clock.now());

    const fullPackage = { ...on, thresholdCredits: 500 };
    const res = await put(fullPackage);
    expect([res.statusCode, res.json()]).toEqual([200, expect.objectContaining(fullPackage)]);
    expect(await stored()).toMatchObject(asStored(fullPackage));

    const oneTopUp = { ...on, monthlyMaxCount: 1, monthlyMaxCents: 12_250 };
    const again = await put(oneTopUp);
    expect([again.statusCode, again.json()]).toEqual([200, expect.objectContaining(oneTopUp)]);
    expect(await stored()).toMatchObject(asStored(oneTopUp));
  });

  it("switches off with no card and a limit of nothing, stored exactly", async () => {
    const off = {
      enabled: false,
      package: "scale",
      thresholdCredits: 0,
      monthlyMaxCount: 0,
      monthlyMaxCents: 0,
    };
    const res = await put(off);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ...off,
      switchedOffBecause: null,
      paymentMethod: null,
      thisMonth: { count: 0, amountCents: 0 },
      lastAttempt: null,
    });
    expect(await stored()).toMatchObject(asStored(off));
    expect(
      (await h.server.inject({ method: "GET", url: URL, headers: h.auth(h.keyA) })).json(),
    ).toEqual(res.json());
  });
});
