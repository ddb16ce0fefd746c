import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { pino } from "pino";
import { parseConfig } from "../../src/config/env.js";
import { buildManifest, readAppYml } from "../../src/setup/manifest.js";
import { createSetupServer } from "../../src/setup/setup-server.js";

const PUBLIC_URL = "https://jasper.example";
const appYml = () => readAppYml(new URL("../../app.yml", import.meta.url).pathname);

afterEach(() => nock.cleanAll());

async function setupServer(envPath: string, env: Record<string, string> = {}) {
  const config = parseConfig({ MONGODB_URI: "memory", PUBLIC_URL, ...env });
  return createSetupServer({
    manifest: buildManifest(appYml(), config.PUBLIC_URL, config.WEBHOOK_PROXY_URL),
    github: config.github,
    publicUrl: config.PUBLIC_URL,
    port: config.PORT,
    webhookProxyUrl: config.WEBHOOK_PROXY_URL,
    envPath,
    log: pino({ level: "silent" }),
  });
}

const anEnvPath = () => join(mkdtempSync(join(tmpdir(), "jasper-setup-")), ".env");
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)))
    .replace(/\s+/g, " ");

/** The state and manifest the setup page's form posts to GitHub. */
async function startSetup(server: Awaited<ReturnType<typeof setupServer>>) {
  const res = await server.inject({ method: "GET", url: "/setup" });
  expect(res.statusCode).toBe(200);
  const action = /<form method="post" action="([^"]+)"/.exec(res.body)![1]!.replace(/&#38;/g, "&");
  const url = new URL(action);
  expect(url.origin + url.pathname).toBe("https://github.com/settings/apps/new");
  const manifest = JSON.parse(
    /name="manifest" value="([^"]+)"/
      .exec(res.body)![1]!
      .replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))),
  );
  return {
    state: url.searchParams.get("state")!,
    manifest,
    csp: res.headers["content-security-policy"],
  };
}

const conversion = {
  id: 424242,
  html_url: "https://github.com/apps/jasper-test",
  pem: "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n",
  webhook_secret: "whsec-from-github",
  client_id: "Iv1.fromgithub",
  client_secret: "client-secret-from-github",
};

describe("first-run setup (GitHub's manifest flow)", () => {
  it("posts app.yml's events and permissions with this deployment's addresses", async () => {
    const server = await setupServer(join(mkdtempSync(join(tmpdir(), "jasper-setup-")), ".env"));
    const { manifest, csp } = await startSetup(server);
    const yml = appYml();
    expect(manifest.default_events).toEqual(yml.default_events);
    expect(manifest.default_permissions).toEqual(yml.default_permissions);
    // Every event the app handles and every permission it uses (the dashboard's included).
    expect(manifest.default_events).toEqual(
      expect.arrayContaining(["pull_request", "issue_comment"]),
    );
    expect(manifest.default_permissions).toMatchObject({
      contents: "read",
      metadata: "read",
      pull_requests: "write",
      issues: "write",
      members: "read",
    });
    expect(manifest).toMatchObject({
      hook_attributes: { url: `${PUBLIC_URL}/api/github/webhooks` },
      redirect_url: `${PUBLIC_URL}/setup/callback`,
      callback_urls: [`${PUBLIC_URL}/auth/github/callback`],
    });
    expect(csp).toContain("form-action https://github.com");
  });

  it("exchanges the code and writes the credentials to .env, keeping what was there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jasper-setup-"));
    const envPath = join(dir, ".env");
    writeFileSync(envPath, "# mine\nMONGODB_URI=memory\nAPP_ID=\n");
    const server = await setupServer(envPath);
    const { state } = await startSetup(server);
    nock("https://api.github.com")
      .post("/app-manifests/the-code/conversions")
      .reply(201, conversion);
    const res = await server.inject({
      method: "GET",
      url: `/setup/callback?code=the-code&state=${state}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("Restart Jasper");
    expect(res.body).not.toContain(conversion.client_secret);
    const env = readFileSync(envPath, "utf8");
    expect(env).toMatch(/^# mine\nMONGODB_URI=memory\nAPP_ID="424242"\n/);
    expect(env).toContain('WEBHOOK_SECRET="whsec-from-github"');
    expect(env).toContain('GITHUB_CLIENT_ID="Iv1.fromgithub"');
    expect(env).toContain('GITHUB_CLIENT_SECRET="client-secret-from-github"');
    expect(env).toContain(
      'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----\\n"',
    );
    expect(env).toMatch(/SESSION_SECRET="[0-9a-f]{64}"/);

    // The written file is what the app reads at its next start.
    // (Node's own parser, the one process.loadEnvFile in src/main.ts uses.)
    const config = parseConfig(parseEnv(env) as NodeJS.ProcessEnv);
    expect(config.APP_ID).toBe("424242");
    expect(config.PRIVATE_KEY).toContain("abc");

    // A state is good once.
    const again = await server.inject({
      method: "GET",
      url: `/setup/callback?code=the-code&state=${state}`,
    });
    expect(again.statusCode).toBe(400);
  });

  it("shows the credentials to copy when .env cannot be written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jasper-setup-"));
    // A folder that does not exist: unwritable for anyone, root included.
    const server = await setupServer(join(dir, "missing", ".env"));
    const { state } = await startSetup(server);
    nock("https://api.github.com").post("/app-manifests/c0de/conversions").reply(201, conversion);
    const res = await server.inject({
      method: "GET",
      url: `/setup/callback?code=c0de&state=${state}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("copy these settings");
    expect(res.body).toContain("client-secret-from-github");
    expect(res.headers["cache-control"]).toBe("no-store");
    // One block to paste into .env, the private key on one line with \n, as .env needs it.
    const block = /<pre id="env-lines">([^<]*)<\/pre>/
      .exec(res.body)![1]!
      .replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
    expect(block.split("\n")).toContain(
      'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----\\n"',
    );
    const pasted = parseEnv(block);
    expect(pasted).toMatchObject({
      APP_ID: "424242",
      PRIVATE_KEY: conversion.pem,
      WEBHOOK_SECRET: conversion.webhook_secret,
      GITHUB_CLIENT_ID: conversion.client_id,
      GITHUB_CLIENT_SECRET: conversion.client_secret,
    });
    expect(pasted.SESSION_SECRET).toMatch(/^[0-9a-f]{64}$/);
  });

  it("says GitHub cannot reach a local PUBLIC_URL, and offers a webhook proxy instead", async () => {
    for (const local of ["http://localhost:3000", "http://127.0.0.1:8080", "http://192.168.1.20"]) {
      const server = await setupServer(anEnvPath(), { PUBLIC_URL: local, PORT: "8080" });
      const res = await server.inject({ method: "GET", url: "/setup" });
      const page = text(res.body);
      expect(page).toContain(`GitHub cannot deliver events to ${local}/api/github/webhooks`);
      expect(page).toContain("PUBLIC_URL must be the address GitHub and your users reach");
      expect(page).toContain("WEBHOOK_PROXY_URL");
      expect(page).toContain("https://smee.io/new");
      expect(page).toContain("--target http://localhost:8080/api/github/webhooks");
    }
    const reachable = await setupServer(anEnvPath());
    const page = text((await reachable.inject({ method: "GET", url: "/setup" })).body);
    expect(page).toContain(`GitHub will send events to ${PUBLIC_URL}/api/github/webhooks`);
    expect(page).not.toContain("cannot deliver");
  });

  it("registers the webhook proxy as the App's webhook when WEBHOOK_PROXY_URL is set", async () => {
    const proxy = "https://smee.io/jasper-dev-channel";
    const server = await setupServer(anEnvPath(), {
      PUBLIC_URL: "http://localhost:3000",
      WEBHOOK_PROXY_URL: proxy,
    });
    const { manifest } = await startSetup(server);
    expect(manifest).toMatchObject({
      hook_attributes: { url: proxy, active: true },
      // The browser's redirects stay on this machine: GitHub only sends the browser there.
      redirect_url: "http://localhost:3000/setup/callback",
      callback_urls: ["http://localhost:3000/auth/github/callback"],
    });
    const page = text((await server.inject({ method: "GET", url: "/setup" })).body);
    expect(page).toContain(`GitHub will send events to the webhook proxy ${proxy}`);
    expect(page).toContain(
      `npx smee-client --url ${proxy} --target http://localhost:3000/api/github/webhooks`,
    );
    expect(page).not.toContain("cannot deliver");
  });

  it("is healthy and ready while it waits (the container's health check)", async () => {
    const server = await setupServer(anEnvPath());
    for (const url of ["/healthz", "/readyz"]) {
      const res = await server.inject({ method: "GET", url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: "setup" });
    }
  });

  it("styles its pages with its own stylesheet, which its Content-Security-Policy lets in", async () => {
    const server = await setupServer(join(mkdtempSync(join(tmpdir(), "jasper-setup-")), ".env"));
    const pages = [
      await server.inject({ method: "GET", url: "/setup" }),
      await server.inject({ method: "GET", url: "/setup/callback?code=x&state=forged" }),
    ];
    for (const page of pages) {
      expect(page.body).toContain('<link rel="stylesheet" href="/setup/style.css">');
      const csp = String(page.headers["content-security-policy"]);
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("default-src 'none'");
    }
    const css = await server.inject({ method: "GET", url: "/setup/style.css" });
    expect(css.statusCode).toBe(200);
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect(css.body).toContain("font-family");
  });

  it("refuses a callback with a state it did not issue", async () => {
    const server = await setupServer(join(mkdtempSync(join(tmpdir(), "jasper-setup-")), ".env"));
    const res = await server.inject({ method: "GET", url: "/setup/callback?code=x&state=forged" });
    expect(res.statusCode).toBe(400);
  });
});
