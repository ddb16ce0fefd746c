/**
 * GitHub's REST API as a review needs it, faked on loopback: installation tokens, a pull
 * request, its reviews and files, the posts (reviews, comments), which it times, and the
 * `Jasper` check runs. No repository has a `.github/jasper.yml` (the common case: 404). It
 * counts every request by kind, for the "requests per review" figure.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** Each pull request's head commit: one of its own, as on GitHub. */
export const headOf = (repository: string, number: number): string =>
  createHash("sha1").update(`${repository}#${number}`).digest("hex");

export interface FakeGitHub {
  url: string;
  /** Requests by "METHOD route", route with numbers as :n. */
  counts: Map<string, number>;
  /** Each post's time (performance.now()) and where it went. */
  posts: { at: number; path: string }[];
  /** How many check run writes said "completed". */
  completedCheckRuns(): number;
  close(): Promise<void>;
}

const files = readFileSync(new URL("../test/fixtures/pulls.files.json", import.meta.url), "utf8");

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const counts = new Map<string, number>();
  const posts: FakeGitHub["posts"] = [];
  let completed = 0;
  const checkRuns = new Map<number, { head_sha: string; name: string }>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0]!;
      const route = `${req.method} ${path
        .replace(/\/\d+(?=\/|$)/g, "/:n")
        .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/:o/:r")
        .replace(/\/commits\/[0-9a-f]+/, "/commits/:sha")}`;
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
            head: { sha: headOf(repo!, Number(n)) },
            html_url: `https://github.com/${repo}/pull/${n}`,
          }),
        );
      }
      const refRuns = /^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]+)\/check-runs$/.exec(path);
      if (req.method === "GET" && refRuns) {
        const runs = [...checkRuns.entries()]
          .filter(([, c]) => c.head_sha === refRuns[1])
          .map(([id, c]) => ({ id, ...c }));
        return send(200, JSON.stringify({ total_count: runs.length, check_runs: runs }));
      }
      if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path)) {
        const body = JSON.parse(raw) as { head_sha: string; name: string; status?: string };
        const id = checkRuns.size + 1;
        if (body.status === "completed") completed++;
        checkRuns.set(id, { head_sha: body.head_sha, name: body.name });
        return send(201, JSON.stringify({ id, ...body }));
      }
      const runId = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(path);
      if (req.method === "PATCH" && runId) {
        const run = checkRuns.get(Number(runId[1]));
        if ((JSON.parse(raw) as { status?: string }).status === "completed") completed++;
        return run
          ? send(200, JSON.stringify({ id: Number(runId[1]), ...run }))
          : send(404, JSON.stringify({ message: "Not Found" }));
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
    completedCheckRuns: () => completed,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
