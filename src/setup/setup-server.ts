/**
 * First run: Jasper started without its GitHub App credentials serves only this. The page
 * posts app.yml as a manifest to GitHub (GitHub's manifest flow, as Probot's own setup does);
 * GitHub sends the browser back with a code, exchanged here for the new App's id, private key,
 * webhook secret and OAuth client (POST /app-manifests/{code}/conversions), which are written
 * to .env, or shown to copy when .env cannot be written (a read-only container). Then restart.
 */
import { randomBytes } from "node:crypto";
import { request as octokitRequest } from "@octokit/request";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { GitHubUrls } from "../config/env.js";
import { envLine, updateEnvFile } from "./env-file.js";
import { webhookUrl, type AppManifest } from "./manifest.js";
import { SETUP_CSS, SETUP_STYLE_PATH } from "./setup-style.js";
import { unreachableFromGitHub } from "./webhook-reach.js";

export interface SetupOptions {
  manifest: AppManifest;
  github: GitHubUrls;
  /** PUBLIC_URL, PORT and WEBHOOK_PROXY_URL: what the page says about webhooks. */
  publicUrl: string;
  port: number;
  webhookProxyUrl?: string;
  /** Where to write the credentials (.env in the working directory). */
  envPath: string;
  /** Register under this organization instead of the signed-in user (optional). */
  org?: string;
  log: FastifyBaseLogger;
}

interface Conversion {
  id: number;
  slug?: string;
  html_url?: string;
  pem: string;
  webhook_secret: string | null;
  client_id: string;
  client_secret: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · Jasper</title><link rel="stylesheet" href="${SETUP_STYLE_PATH}"></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

export async function createSetupServer(o: SetupOptions): Promise<FastifyInstance> {
  const server = Fastify({ loggerInstance: o.log });
  const states = new Set<string>();
  const github = octokitRequest.defaults({
    baseUrl: o.github.api,
    headers: { "user-agent": "jasper-setup" },
  });
  const newAppUrl = `${o.github.web}${o.org ? `/organizations/${encodeURIComponent(o.org)}` : ""}/settings/apps/new`;

  server.addHook("onSend", async (_request, reply) => {
    // Nothing here loads from anywhere but its own stylesheet; the one form goes to GitHub.
    // Never cached: the callback's page may hold the new secrets.
    reply.header(
      "content-security-policy",
      `default-src 'none'; style-src 'self'; form-action ${new URL(o.github.web).origin}; frame-ancestors 'none'; base-uri 'none'`,
    );
    reply.header("cache-control", "no-store");
    reply.header("referrer-policy", "no-referrer");
  });

  server.get("/", async (_request, reply) => reply.redirect("/setup"));
  server.get("/billing", async (_request, reply) => reply.redirect("/setup"));
  // Healthy and ready: this process serves what it is meant to until the App exists, and a
  // health check that failed here would restart it (or hide the page behind a load balancer).
  server.get("/healthz", async () => ({ status: "setup" }));
  server.get("/readyz", async () => ({ status: "setup" }));
  server.get(SETUP_STYLE_PATH, async (_request, reply) =>
    reply.type("text/css; charset=utf-8").send(SETUP_CSS),
  );

  server.get("/setup", async (_request, reply) => {
    const state = randomBytes(24).toString("base64url");
    states.add(state);
    const manifest = JSON.stringify(o.manifest);
    return reply.type("text/html; charset=utf-8").send(
      page(
        "Register Jasper on GitHub",
        `${webhookAdvice(o)}<p>Jasper has no GitHub App yet. This registers one from <code>app.yml</code>, with these events and permissions:</p>
<ul>${o.manifest.default_events.map((e) => `<li>event <code>${escape(e)}</code></li>`).join("")}
${Object.entries(o.manifest.default_permissions)
  .map(([k, v]) => `<li>permission <code>${escape(k)}: ${escape(v)}</code></li>`)
  .join("")}</ul>
<form method="post" action="${escape(`${newAppUrl}?state=${state}`)}">
<input type="hidden" name="manifest" value="${escape(manifest)}">
<button type="submit">Register the GitHub App</button>
</form>`,
      ),
    );
  });

  server.get("/setup/callback", { logLevel: "warn" }, async (request, reply) => {
    const { code, state } = request.query as { code?: unknown; state?: unknown };
    if (
      typeof state !== "string" ||
      !states.delete(state) ||
      typeof code !== "string" ||
      !/^[\w-]{1,100}$/.test(code)
    ) {
      return reply
        .code(400)
        .type("text/html; charset=utf-8")
        .send(
          page(
            "Setup did not work",
            `<p>That link is not valid any more. <a href="/setup">Start again</a>.</p>`,
          ),
        );
    }
    let app: Conversion;
    try {
      const res = await github("POST /app-manifests/{code}/conversions", { code });
      app = res.data as unknown as Conversion;
    } catch (err) {
      request.log.warn(
        { status: (err as { status?: unknown }).status },
        "setup: the manifest code exchange failed",
      );
      return reply
        .code(502)
        .type("text/html; charset=utf-8")
        .send(
          page(
            "Setup did not work",
            `<p>GitHub did not accept the registration. <a href="/setup">Try again</a>.</p>`,
          ),
        );
    }
    const values: Record<string, string> = {
      APP_ID: String(app.id),
      PRIVATE_KEY: app.pem,
      WEBHOOK_SECRET: app.webhook_secret ?? "",
      GITHUB_CLIENT_ID: app.client_id,
      GITHUB_CLIENT_SECRET: app.client_secret,
      // The dashboard needs one too; made here, never a default.
      SESSION_SECRET: randomBytes(32).toString("hex"),
    };
    const install = app.html_url
      ? `<p><a href="${escape(app.html_url)}/installations/new">Install it on your organization</a>.</p>`
      : "";
    try {
      updateEnvFile(o.envPath, values);
      request.log.info(
        { appId: app.id },
        "setup: GitHub App registered; credentials written to .env",
      );
      return reply
        .type("text/html; charset=utf-8")
        .send(
          page(
            "Jasper is registered",
            `<p>The App's credentials are in <code>.env</code>. Restart Jasper to start it.</p>${install}`,
          ),
        );
    } catch {
      request.log.warn(
        { appId: app.id },
        "setup: .env is not writable; the credentials are shown once on the page",
      );
      // The lines as .env holds them (the private key on one line, its line breaks as \n),
      // which Docker Compose's env_file and the app's own loader both read.
      const lines = Object.entries(values)
        .map(([k, v]) => envLine(k, v))
        .join("\n");
      return reply
        .type("text/html; charset=utf-8")
        .send(
          page(
            "Jasper is registered: copy these settings",
            `<p><code>.env</code> could not be written (in Docker the app cannot write your <code>.env</code>). Add these lines to <code>.env</code> now, as they are: this page is the only time they are shown. Then restart Jasper (<code>docker compose up -d</code>).</p><pre id="env-lines">${escape(lines)}</pre>${install}`,
          ),
        );
    }
  });
  return server;
}

/**
 * What the page says about where GitHub will send events: the webhook proxy and the command
 * that forwards from it; or, for a PUBLIC_URL GitHub cannot reach, that registering will fail,
 * what PUBLIC_URL must be, and Probot's route for local development (a webhook proxy).
 */
function webhookAdvice(o: SetupOptions): string {
  const local = webhookUrl(`http://localhost:${o.port}`);
  const forward = (channel: string) =>
    `<pre>npx smee-client --url ${escape(channel)} --target ${escape(local)}</pre>`;
  if (o.webhookProxyUrl) {
    return `<p>GitHub will send events to the webhook proxy <code>${escape(o.webhookProxyUrl)}</code> (<code>WEBHOOK_PROXY_URL</code>). Keep this running beside Jasper so that they reach it:</p>${forward(o.webhookProxyUrl)}`;
  }
  const hook = webhookUrl(o.publicUrl);
  const why = unreachableFromGitHub(o.publicUrl, new URL(o.github.web).hostname === "github.com");
  if (!why) return `<p>GitHub will send events to <code>${escape(hook)}</code>.</p>`;
  return `<section role="alert"><h2>GitHub cannot reach this address</h2>
<p>GitHub cannot deliver events to <code>${escape(hook)}</code>: ${escape(why)} (<code>PUBLIC_URL</code>), and GitHub refuses to register an App whose webhook it cannot reach. Before registering, either:</p>
<ul><li><code>PUBLIC_URL</code> must be the address GitHub and your users reach Jasper at, such as <code>https://jasper.example.com</code> (a reverse proxy or tunnel in front of port ${o.port}); set it in <code>.env</code> and restart Jasper; or</li>
<li>for local development, use a webhook proxy, as Probot apps do: open <a href="https://smee.io/new">https://smee.io/new</a>, put the channel's address in <code>.env</code> as <code>WEBHOOK_PROXY_URL</code>, restart Jasper, and keep this running beside it:${forward("&lt;WEBHOOK_PROXY_URL&gt;")}</li></ul>
<p>Then reload this page.</p></section>`;
}
