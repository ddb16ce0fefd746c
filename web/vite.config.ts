// The dashboard's build: `npm run build` writes it to dist/web, which the server serves at
// /billing (src/dashboard/web-routes.ts). Everything is bundled: no asset from another host.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/billing/",
  // Preact's automatic JSX runtime, without a plugin (Vite 8 transforms with Oxc).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: process.env.WEB_OUT_DIR ?? fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    // No inline data: URIs for assets: the Content-Security-Policy allows 'self' only.
    assetsInlineLimit: 0,
  },
});
