import { describe, expect, it } from "@jest/globals";
import type { Probot } from "probot";
import { jasperApp } from "../../src/github/app.js";
import { HANDLED_EVENTS, payloadProblem } from "../../src/github/webhook-payloads.js";
import { fixture } from "../support/github.js";

describe("the events the app handles", () => {
  it("are exactly those whose payloads the webhook route checks", async () => {
    const subscribed: string[] = [];
    const app = jasperApp({
      lifecycle: {
        activated: async () => {},
        seen: async () => {},
        suspended: async () => {},
        uninstalled: async () => {},
      },
      onPullRequest: async () => {},
      onComment: async () => {},
    });
    const probot = {
      on: (names: string | string[]) => subscribed.push(...[names].flat()),
    } as unknown as Probot;
    await app(probot, { cwd: process.cwd(), addHandler: () => {} });
    expect(subscribed.sort()).toEqual(Object.keys(HANDLED_EVENTS).sort());
  });

  it("accept the fixtures, and every action of installation_repositories", () => {
    expect(payloadProblem("pull_request", fixture("pull_request.opened"))).toBeNull();
    expect(payloadProblem("pull_request", fixture("pull_request.synchronize"))).toBeNull();
    expect(payloadProblem("issue_comment", fixture("issue_comment.created"))).toBeNull();
    expect(payloadProblem("installation", fixture("installation.deleted"))).toBeNull();
    const removed = { ...fixture("installation.created"), action: "removed" };
    expect(payloadProblem("installation_repositories", removed)).toBeNull();
    const broken = { ...removed, installation: { id: "4242" } };
    expect(payloadProblem("installation_repositories", broken)).toMatch(/^installation\.id: /);
  });

  it("leave events Jasper does not handle alone, whatever they hold", () => {
    expect(payloadProblem("push", { ref: 42 })).toBeNull();
    expect(payloadProblem("pull_request", { action: "closed" })).toBeNull();
    expect(payloadProblem("ping", "zen")).toBe("the payload must be a JSON object");
  });

  it("take an enterprise-wide installation, which names no account", () => {
    const event = fixture("installation.created") as { installation: Record<string, unknown> };
    const enterprise = {
      ...event,
      installation: { ...event.installation, account: { id: 1, slug: "acme", name: "Acme" } },
    };
    expect(payloadProblem("installation", enterprise)).toBeNull();
  });
});
