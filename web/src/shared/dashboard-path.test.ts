import { describe, expect, it } from "@jest/globals";
import { accountPath, parseDashboardPath } from "./dashboard-path";

const PAGES = ["history", "usage", "settings"];
const parse = (path: string) => parseDashboardPath(path, PAGES);

describe("a dashboard address", () => {
  it("names the account first, then the page", () => {
    expect(parse("/billing/acme/history")).toEqual({ org: "acme", page: "history" });
    expect(parse("/billing/acme")).toEqual({ org: "acme", page: "" });
    expect(parse("/billing/acme/")).toEqual({ org: "acme", page: "" });
  });

  it("has no account in the addresses from before (they resolve to the chosen one)", () => {
    expect(parse("/billing")).toEqual({ org: null, page: "" });
    expect(parse("/billing/")).toEqual({ org: null, page: "" });
    expect(parse("/billing/history")).toEqual({ org: null, page: "history" });
  });

  it("reaches an account named like a page by its pages, and an unknown page is Billing", () => {
    expect(parse("/billing/usage/usage")).toEqual({ org: "usage", page: "usage" });
    expect(parse("/billing/acme/nothing-here")).toEqual({ org: "acme", page: "" });
  });

  it("is built back the same way", () => {
    expect(accountPath("Acme-Corp", "history")).toBe("/billing/Acme-Corp/history");
    expect(accountPath("Acme-Corp")).toBe("/billing/Acme-Corp");
    expect(parse(accountPath("a b", "usage"))).toEqual({ org: "a b", page: "usage" });
  });
});
