import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (
  req: IncomingMessage,
  url: URL,
  body: string,
) => { status?: number; json?: unknown; html?: string; location?: string } | null;

/** A small HTTP server on 127.0.0.1 standing in for a third party (GitHub, Stripe). */
export async function startFake(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const answer = handler(req, url, Buffer.concat(chunks).toString("utf8"));
      if (!answer) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not Found"}');
      } else if (answer.location) {
        res.writeHead(answer.status ?? 302, { location: answer.location }).end();
      } else if (answer.html !== undefined) {
        res.writeHead(answer.status ?? 200, { "content-type": "text/html" }).end(answer.html);
      } else {
        res
          .writeHead(answer.status ?? 200, { "content-type": "application/json" })
          .end(JSON.stringify(answer.json ?? {}));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A port free now on 127.0.0.1 (for an app whose PUBLIC_URL must be known before it listens). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
