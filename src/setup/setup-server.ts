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
import { updateEnvFile } from "./env-file.js";
import type { AppManifest } from "./manifest.js";
import { SETUP_CSS, SETUP_STYLE_PATH } from "./setup-style.js";

export interface SetupOptions {
  manifest: AppManifest;
  github: GitHubUrls;
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
  server.get("/healthz", async () => ({ status: "setup" }));
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
        `<p>Jasper has no GitHub App yet. This registers one from <code>app.yml</code>, with these events and permissions:</p>
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
      const rows = Object.entries(values)
        .map(([k, v]) => `<dt><code>${k}</code></dt><dd><pre>${escape(v)}</pre></dd>`)
        .join("");
      return reply
        .type("text/html; charset=utf-8")
        .send(
          page(
            "Jasper is registered: copy these settings",
            `<p><code>.env</code> could not be written. Put these settings into Jasper's environment now (this page is the only time they are shown), then restart it.</p><dl>${rows}</dl>${install}`,
          ),
        );
    }
  });
  return server;
}
