/**
 * The dashboard's pages: the single-page app built by `npm run build` (web/, Vite) into
 * WEB_DIST, served at /billing and below, under a strict Content-Security-Policy: every
 * script, style, image and request comes from this origin, nothing inline.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fastifyHelmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DASHBOARD_HOME } from "./sign-in-routes.js";

export interface WebOptions {
  /** The built app's folder (index.html and assets/). */
  dist: string;
  publicUrl: string;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Jasper</title></head>
<body><main><h1>The dashboard is not built</h1><p>Run <code>npm run build</code>, then restart Jasper.</p></main></body></html>`;

export async function webRoutes(server: FastifyInstance, o: WebOptions): Promise<void> {
  const https = o.publicUrl.startsWith("https:");
  await server.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS on a plain-http deployment would only make browsers refuse it later.
    strictTransportSecurity: https,
  });

  const dist = resolve(o.dist);
  const indexFile = join(dist, "index.html");
  // Read once: the build does not change under a running process.
  const index = existsSync(indexFile) ? readFileSync(indexFile, "utf8") : null;
  if (existsSync(join(dist, "assets"))) {
    await server.register(fastifyStatic, {
      root: join(dist, "assets"),
      prefix: `${DASHBOARD_HOME}/assets/`,
      // File names carry their content hash (Vite), so they may be cached for good.
      immutable: true,
      maxAge: "365d",
    });
  }
  const page = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(index ? 200 : 503)
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .send(index ?? NOT_BUILT);
  server.get(DASHBOARD_HOME, page);
  server.get(`${DASHBOARD_HOME}/*`, page);
  server.get("/", async (_request, reply) => reply.redirect(DASHBOARD_HOME));
}
