/**
 * The GitHub App manifest Jasper registers itself with on first run: app.yml (events,
 * permissions, name, description, public) completed with this deployment's addresses, so the
 * new App's webhook, sign-in callback and setup return all point at PUBLIC_URL.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { WEBHOOK_PATH } from "../github/webhook-path.js";

export interface AppManifest {
  name: string;
  url: string;
  description?: string;
  public: boolean;
  hook_attributes: { url: string; active: boolean };
  redirect_url: string;
  callback_urls: string[];
  setup_url: string;
  default_events: string[];
  default_permissions: Record<string, string>;
}

export function readAppYml(path: string): Record<string, unknown> {
  return (parse(readFileSync(path, "utf8")) ?? {}) as Record<string, unknown>;
}

/**
 * `webhookProxyUrl` (WEBHOOK_PROXY_URL, as Probot names it): where GitHub sends the events
 * instead of PUBLIC_URL, for a Jasper GitHub cannot reach (local development); a proxy client
 * forwards them (docs/operations.md, "Registering the GitHub App").
 */
export function buildManifest(
  appYml: Record<string, unknown>,
  publicUrl: string,
  webhookProxyUrl?: string,
): AppManifest {
  return {
    name: typeof appYml.name === "string" ? appYml.name : "Jasper",
    description: typeof appYml.description === "string" ? appYml.description : undefined,
    public: appYml.public !== false,
    default_events: Array.isArray(appYml.default_events) ? (appYml.default_events as string[]) : [],
    default_permissions: (appYml.default_permissions ?? {}) as Record<string, string>,
    // This deployment's addresses win over app.yml's placeholders.
    url: `${publicUrl}/billing`,
    hook_attributes: { url: webhookProxyUrl ?? webhookUrl(publicUrl), active: true },
    redirect_url: `${publicUrl}/setup/callback`,
    // The dashboard's "Sign in with GitHub" (src/dashboard/sign-in-routes.ts).
    callback_urls: [`${publicUrl}/auth/github/callback`],
    setup_url: `${publicUrl}/billing`,
  };
}

/** Where Jasper itself takes GitHub's webhooks (src/server/github-webhook-route.ts serves it). */
export function webhookUrl(base: string): string {
  return `${base}${WEBHOOK_PATH}`;
}
