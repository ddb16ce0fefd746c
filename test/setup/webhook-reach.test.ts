import { describe, expect, it } from "@jest/globals";
import { unreachableFromGitHub } from "../../src/setup/webhook-reach.js";

describe("whether GitHub can reach a webhook URL", () => {
  it.each([
    ["http://localhost:3000", "localhost is this machine"],
    ["http://jasper.localhost", "jasper.localhost is this machine"],
    ["http://127.0.0.1:3000", "127.0.0.1 is this machine"],
    ["http://[::1]:3000", "::1 is this machine"],
    ["http://0.0.0.0:3000", "0.0.0.0 is this machine"],
    ["http://10.1.2.3", "10.1.2.3 is an address on a private network"],
    ["http://172.20.0.5:3000", "172.20.0.5 is an address on a private network"],
    ["http://192.168.1.20", "192.168.1.20 is an address on a private network"],
    ["http://[fd00::1]", "fd00::1 is an address on a private network"],
    ["http://web:3000", "web is not a public host name"],
    ["http://jasper.local", "jasper.local is not a public host name"],
  ])("github.com cannot reach %s", (url, why) => {
    expect(unreachableFromGitHub(url, true)).toBe(why);
  });

  it.each(["https://jasper.example.com", "http://203.0.113.7:8080", "http://172.32.0.1"])(
    "github.com can reach %s",
    (url) => {
      expect(unreachableFromGitHub(url, true)).toBeUndefined();
    },
  );

  it("on GitHub Enterprise Server only this machine is ruled out", () => {
    expect(unreachableFromGitHub("http://10.1.2.3", false)).toBeUndefined();
    expect(unreachableFromGitHub("http://jasper", false)).toBeUndefined();
    expect(unreachableFromGitHub("http://localhost:3000", false)).toBe("localhost is this machine");
  });
});
