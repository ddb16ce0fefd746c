import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { createStripe } from "../../src/billing/stripe-client.js";

describe("createStripe", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("talks to api.stripe.com by default, with two network retries", async () => {
    const stripe = createStripe("sk_test_jasper");
    expect(stripe.getMaxNetworkRetries()).toBe(2);
    nock("https://api.stripe.com", { reqheaders: { authorization: "Bearer sk_test_jasper" } })
      .get("/v1/balance")
      .reply(200, { object: "balance", available: [], pending: [], livemode: false });
    expect((await stripe.balance.retrieve()).object).toBe("balance");
  });

  it("talks to STRIPE_API_BASE when set (e.g. stripe-mock)", async () => {
    nock("http://localhost:12111")
      .get("/v1/balance")
      .reply(200, { object: "balance", available: [], pending: [], livemode: false });
    expect(
      (await createStripe("sk_test_jasper", "http://localhost:12111").balance.retrieve()).object,
    ).toBe("balance");
    // No port: the protocol's own, not stripe-node's default of 443.
    nock("http://stripe-mock").get("/v1/balance").reply(200, { object: "balance" });
    expect(
      (await createStripe("sk_test_jasper", "http://stripe-mock").balance.retrieve()).object,
    ).toBe("balance");
  });

  it("refuses a base with a path, which stripe-node would drop", () => {
    expect(() => createStripe("sk_test_jasper", "http://localhost:12111/v1")).toThrow(
      /bare origin/,
    );
  });
});
