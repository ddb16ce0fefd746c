import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { createWriteAccess } from "../../src/github/write-access.js";
import { API, mockPermission, useGitHubApi } from "../support/github-api.js";
import { testProbot } from "../support/github.js";

const who = (login: string) => ({ installationId: 4242, repository: "Acme-Corp/widgets", login });

describe("write access, as GitHub says", () => {
  const canWrite = createWriteAccess(testProbot());
  useGitHubApi(async () => {});

  it.each([
    ["admin", true],
    ["maintain", true],
    ["write", true],
    ["triage", false],
    ["read", false],
    ["none", false],
  ] as const)("%s: %s", async (permission, expected) => {
    mockPermission(permission, { login: "someone" });
    expect(await canWrite(who("someone"))).toBe(expected);
  });

  it("someone GitHub does not know on the repository has none; other failures are thrown", async () => {
    const path = (login: string) => `/repos/Acme-Corp/widgets/collaborators/${login}/permission`;
    nock(API).get(path("stranger")).reply(404, { message: "Not Found" });
    nock(API).get(path("someone")).reply(502, { message: "Bad Gateway" });
    expect(await canWrite(who("stranger"))).toBe(false);
    await expect(canWrite(who("someone"))).rejects.toMatchObject({ status: 502 });
  });
});
