import { describe, expect, it } from "@jest/globals";
import { alertEmail } from "../../src/notifications/alert-email.js";

const base = { accountLogin: "acme-corp", publicUrl: "https://jasper.test/" };

describe("alertEmail", () => {
  it("says the balance, what happens next and where to buy, for each level", () => {
    const warning = alertEmail({ ...base, level: "warning", balance: 10 });
    expect(warning.subject).toBe("Jasper: acme-corp has 10 credits left");
    expect(warning.text).toContain("Reviews continue");
    expect(warning.text).toContain("https://jasper.test/billing");

    const critical = alertEmail({ ...base, level: "critical", balance: 1 });
    expect(critical.subject).toBe("Jasper: only 1 credit left for acme-corp");
    expect(critical.text).toContain("banner");

    const depleted = alertEmail({ ...base, level: "depleted", balance: 0, botName: "jas" });
    expect(depleted.text).toContain("is 0 credits");
    expect(depleted.text).toContain("paused");
    expect(depleted.text).toContain("Chat replies and commands still work");
    expect(depleted.text).toContain("`/jas review`");
    expect(depleted.html).toContain('<a href="https://jasper.test/billing">');
  });

  it("escapes the login in the HTML part", () => {
    const { html, text } = alertEmail({
      ...base,
      accountLogin: '<img src=x onerror="alert(1)">',
      level: "warning",
      balance: 10,
    });
    expect(html).not.toContain("<img");
    expect(html).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;");
    expect(text).toContain("<img src=x");
  });
});
