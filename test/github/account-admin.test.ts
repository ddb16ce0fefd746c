import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { createAccountAdmin } from "../../src/github/account-admin.js";
import { API, mockOrgMembership, useGitHubApi } from "../support/github-api.js";
import { testProbot } from "../support/github.js";

const org = { login: "Acme-Corp", type: "Organization" as const };
const who = (login: string, account: { login: string; type: "Organization" | "User" } = org) => ({
  installationId: 4242,
  account,
  login,
});

describe("account admins, as GitHub says", () => {
  const isAdmin = createAccountAdmin(testProbot());
  useGitHubApi(async () => {});

  it.each([
    ["admin", "active", true],
    ["admin", "pending", false],
    ["member", "active", false],
    ["billing_manager", "active", false],
  ] as const)("an organization's %s (%s): %s", async (role, state, expected) => {
    mockOrgMembership("Acme-Corp", "someone", role, { state });
    expect(await isAdmin(who("someone"))).toBe(expected);
  });

  it("someone outside the organization is not one; other failures are thrown", async () => {
    mockOrgMembership("Acme-Corp", "stranger", 404);
    nock(API).get("/orgs/Acme-Corp/memberships/someone").reply(502, { message: "Bad Gateway" });
    expect(await isAdmin(who("stranger"))).toBe(false);
    await expect(isAdmin(who("someone"))).rejects.toMatchObject({ status: 502 });
  });

  it("a user's account has one admin, the user, whatever the case; GitHub is not asked", async () => {
    const user = { login: "Octo-Dev", type: "User" as const };
    expect(await isAdmin(who("octo-dev", user))).toBe(true);
    expect(await isAdmin(who("OCTO-DEV", user))).toBe(true);
    expect(await isAdmin(who("someone-else", user))).toBe(false);
  });
});
