/**
 * GitHub's REST API as a review needs it, faked on loopback: installation tokens, a pull
 * request, its reviews and files, and the posts (reviews, comments), which it times. It counts
 * every request by kind, for the "requests per review" figure.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";

export interface FakeGitHub {
  url: string;
  /** Requests by "METHOD route", route with numbers as :n. */
  counts: Map<string, number>;
  /** Each post's time (performance.now()) and where it went. */
  posts: { at: number; path: string }[];
  close(): Promise<void>;
}

const files = readFileSync(new URL("../test/fixtures/pulls.files.json", import.meta.url), "utf8");

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const counts = new Map<string, number>();
  const posts: FakeGitHub["posts"] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0]!;
      const route = `${req.method} ${path.replace(/\/\d+(?=\/|$)/g, "/:n").replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/:o/:r")}`;
      counts.set(route, (counts.get(route) ?? 0) + 1);
      const send = (status: number, body: string) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(body);
      };
      if (req.method === "POST" && path.endsWith("/access_tokens")) {
        return send(
          201,
          JSON.stringify({
            token: "ghs_bench",
            expires_at: "2099-01-01T00:00:00Z",
            permissions: {},
          }),
        );
      }
      const pull = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)(\/\w+)?$/.exec(path);
      if (req.method === "GET" && pull && !pull[3]) {
        const [, repo, n] = pull;
        return send(
          200,
          JSON.stringify({
            number: Number(n),
            state: "open",
            title: "bench",
            body: "",
            head: { sha: "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c" },
            html_url: `https://github.com/${repo}/pull/${n}`,
          }),
        );
      }
      if (req.method === "GET" && pull?.[3] === "/reviews") return send(200, "[]");
      if (req.method === "GET" && pull?.[3] === "/files") return send(200, files);
      if (req.method === "POST" && (pull?.[3] === "/reviews" || path.endsWith("/comments"))) {
        posts.push({ at: performance.now(), path });
        return send(201, JSON.stringify({ id: posts.length }));
      }
      send(404, JSON.stringify({ message: "Not Found" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    posts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
