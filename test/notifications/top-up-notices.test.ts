import { describe, expect, it } from "@jest/globals";
import { pino } from "pino";
import { toAccountId, type Account } from "../../src/accounts/types.js";
import type { OutgoingEmail } from "../../src/notifications/mailer.js";
import { topUpNoticeEmail } from "../../src/notifications/top-up-notice-email.js";
import { createSendTopUpNotice } from "../../src/notifications/top-up-notices.js";
import { growthAttempt } from "../support/top-up-fixtures.js";

const acme = toAccountId(9001);
const KEY = "auto-top-up:9001:e1";
const base = {
  accountLogin: "acme",
  credits: 500,
  priceCents: 12250,
  currency: "usd",
  publicUrl: "https://jasper.example/",
};

describe("the emails about an automatic top-up not paid", () => {
  it("a decline says nothing was charged, the hourly rule and the switch-off after three", () => {
    const e = topUpNoticeEmail({ ...base, notice: "declined" });
    expect(e.subject).toBe("Jasper: the automatic top-up for acme was declined");
    expect(e.text).toContain("500 credits (122.50 USD). Nothing was charged.");
    expect(e.text).toContain("at most once an hour");
    expect(e.text).toContain("Open billing: https://jasper.example/billing");
  });

  it("authentication links the Checkout page, or billing without one", () => {
    const url = "https://checkout.stripe.com/c/pay/cs_1?a=1&b=2";
    const e = topUpNoticeEmail({ ...base, notice: "authentication_required", checkoutUrl: url });
    expect(e.text).toContain(`Complete the payment: ${url}`);
    // The link is escaped in the HTML part.
    expect(e.html).toContain('href="https://checkout.stripe.com/c/pay/cs_1?a=1&#38;b=2"');
    const without = topUpNoticeEmail({ ...base, notice: "authentication_required" });
    expect(without.text).toContain("Buy credits: https://jasper.example/billing");
  });

  it("the switch-off says it is off and how to switch it on again", () => {
    const e = topUpNoticeEmail({ ...base, accountLogin: "<b>acme</b>", notice: "switched_off" });
    expect(e.subject).toBe("Jasper: auto top-up for <b>acme</b> is off");
    expect(e.html).not.toContain("<b>acme</b>");
  });

  it("goes to the billing contacts, and to nobody when there are none", async () => {
    const sent: OutgoingEmail[] = [];
    let contacts = ["money@acme.test"];
    const send = createSendTopUpNotice({
      accounts: {
        get: async () =>
          ({ id: acme, login: "acme", settings: { billingContacts: contacts } }) as Account,
      },
      attempts: {
        find: async () => ({
          ...growthAttempt(acme, KEY, new Date()),
          state: "failed",
          paymentIntent: null,
          outcome: "declined",
          settledAt: null,
        }),
      },
      mailer: { send: async (m) => (sent.push(m), { accepted: m.to, rejected: [] }) },
      publicUrl: "https://jasper.example",
      log: pino({ level: "silent" }),
    });
    const job = {
      kind: "top_up_notice" as const,
      accountId: acme,
      attemptKey: KEY,
      notice: "declined" as const,
    };
    expect(await send(job)).toBe("sent");
    expect(sent.map((m) => m.to)).toStrictEqual([["money@acme.test"]]);
    contacts = [];
    expect(await send(job)).toBe("skipped");
    expect(sent).toHaveLength(1);
  });
});
