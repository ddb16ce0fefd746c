import { createHmac, randomUUID } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { StoreTimeoutError } from "../../src/shared/errors.js";
import { fixture, signedDelivery, WEBHOOK_SECRET } from "../support/github.js";
import { useGitHubApi } from "../support/github-api.js";
import { createHarness, type Harness } from "../support/harness.js";
import { captureLog, type CapturedLog } from "../support/log-capture.js";

/**
 * The webhook route as an attacker meets it: unauthenticated bodies cost a bounded read and
 * one HMAC, and no payload reaches the log, whatever happens to the delivery.
 */
const acme = toAccountId(9001);
const MiB = 1024 * 1024;
/** Found in the log only if a payload got there. */
const MARKER = "PAYLOAD-MARKER-7f3a";

const openedWithBody = (body: string) => {
  const event = fixture("pull_request.opened") as Record<string, unknown> & {
    pull_request: Record<string, unknown>;
  };
  return { ...event, pull_request: { ...event.pull_request, body } };
};

const sign = (body: string, secret = WEBHOOK_SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

const headers = (event: string, signature?: string) => ({
  "content-type": "application/json",
  "x-github-event": event,
  "x-github-delivery": randomUUID(),
  ...(signature ? { "x-hub-signature-256": signature } : {}),
});

describe("the GitHub webhook route", () => {
  let h: Harness;
  let logged: CapturedLog;
  useGitHubApi(async () => h?.close());
  const start = async () => {
    logged = captureLog();
    h = await createHarness({ log: logged.log });
  };
  const nothingWritten = async () => {
    expect(await h.store.accounts.get(acme)).toBeNull();
    expect(await h.store.runs.listForPullRequest(acme, 501, 12, 10)).toEqual([]);
    expect(await h.store.ledger.list(acme, { limit: 10 })).toEqual([]);
    expect(await h.pendingJobs()).toBe(0);
  };

  it("answers bodies over 25 MiB with 413, unread, and the log stays small", async () => {
    await start();
    const huge = JSON.stringify(openedWithBody(MARKER + "x".repeat(26 * MiB)));
    const attempts = [
      headers("pull_request"), // unsigned
      headers("pull_request", sign("something else")), // signed wrong
      headers("pull_request", sign(huge)), // even signed right: GitHub never sends this much
    ];
    for (const h2 of attempts) {
      const res = await h.server.inject({
        method: "POST",
        url: "/api/github/webhooks",
        headers: h2,
        payload: huge,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe("payload_too_large");
      expect(res.headers.connection).toBe("close");
    }
    // Without a Content-Length, reading stops at the bound.
    const chunked = await h.server.inject({
      method: "POST",
      url: "/api/github/webhooks",
      headers: { ...headers("pull_request", sign(huge)), "transfer-encoding": "chunked" },
      payload: Readable.from(chunks(30 * MiB)),
    });
    expect(chunked.statusCode).toBe(413);

    expect(logged.bytes()).toBeLessThan(20_000);
    expect(logged.text()).not.toContain(MARKER);
    await nothingWritten();
  });

  it("answers 413 on a real connection before the body is sent, and closes it", async () => {
    await start();
    await h.server.listen({ port: 0, host: "127.0.0.1" });
    const { port } = h.server.server.address() as AddressInfo;
    const req = httpRequest({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/api/github/webhooks",
      headers: { ...headers("pull_request", sign("x")), "content-length": String(100 * MiB) },
    });
    req.on("error", () => {}); // the server hangs up on the rest of the body
    const response = new Promise<IncomingMessage>((resolve) => req.on("response", resolve));
    // 1 MiB of the announced 100: the answer must not wait for the other 99.
    req.write(Buffer.alloc(MiB, "x"));
    const res = await response;
    expect(res.statusCode).toBe(413);
    expect(res.headers.connection).toBe("close");
    res.resume();
    req.destroy();
    expect(logged.bytes()).toBeLessThan(5_000);
  });

  it("refuses a bad, missing or malformed signature with 400 and logs no body", async () => {
    await start();
    const event = openedWithBody(MARKER);
    const body = JSON.stringify(event);
    const refused = [
      signedDelivery("pull_request", event, "wrong-secret"),
      { ...signedDelivery("pull_request", event), headers: headers("pull_request") },
      {
        ...signedDelivery("pull_request", event),
        headers: headers("pull_request", `sha1=${"0".repeat(40)}`),
      },
      // A signature of other bytes than those sent (the JSON re-serialized, say).
      {
        ...signedDelivery("pull_request", event),
        headers: headers("pull_request", sign(JSON.stringify(event, null, 2))),
      },
    ];
    const codes: unknown[] = [];
    for (const delivery of refused) {
      const res = await h.server.inject({ ...delivery, payload: body });
      expect(res.statusCode).toBe(400);
      codes.push(res.json().error.code);
    }
    expect(logged.text()).not.toContain(MARKER);
    expect(logged.bytes()).toBeLessThan(10_000);
    expect(codes).toEqual([
      "invalid_signature",
      "invalid_headers",
      "invalid_headers",
      "invalid_signature",
    ]);
    await nothingWritten();
  });

  it("refuses what is not JSON: another content type unread (415), bad JSON after the signature (400)", async () => {
    await start();
    const form = "payload=%7B%7D";
    const asForm = await h.server.inject({
      method: "POST",
      url: "/api/github/webhooks",
      headers: {
        ...headers("ping", sign(form)),
        "content-type": "application/x-www-form-urlencoded",
      },
      payload: form,
    });
    expect(asForm.statusCode).toBe(415);
    const notJson = `{"zen": "${MARKER}"`;
    const res = await h.server.inject({
      method: "POST",
      url: "/api/github/webhooks",
      headers: headers("ping", sign(notJson)),
      payload: notJson,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("invalid_json");
    expect(logged.text()).not.toContain(MARKER);
  });

  it("logs a failing handler by event name, delivery id and message, never its payload", async () => {
    await start();
    h.store.accounts.get = async () => {
      throw new Error("the database is down");
    };
    const delivery = signedDelivery("pull_request", openedWithBody(MARKER));
    const res = await h.server.inject(delivery);
    expect(res.statusCode).toBe(500);
    expect(logged.text()).not.toContain(MARKER);
    expect(logged.bytes()).toBeLessThan(20_000);

    const failure = logged
      .text()
      .split("\n")
      .filter((line) => line.includes("GitHub webhook handler failed"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(failure).toEqual([
      expect.objectContaining({
        event: "pull_request",
        delivery: delivery.headers["x-github-delivery"],
        errors: ["the database is down"],
      }),
    ]);
    expect(res.json().error.code).toBe("handler_failed");
    expect(res.body).not.toContain("database"); // the details are for the log
  });

  it("answers a database that did not answer in time 503 store_timeout with Retry-After, not 500", async () => {
    await start();
    h.store.accounts.get = async () => {
      throw new StoreTimeoutError("read");
    };
    const res = await h.server.inject(signedDelivery("pull_request", openedWithBody(MARKER)));
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.json().error.code).toBe("store_timeout");
    expect(logged.text()).toContain("the database did not answer in time");
    expect(logged.text()).not.toContain("GitHub webhook handler failed");
    expect(logged.text()).not.toContain(MARKER);
  });

  it("answers 503 within its bound when the database hangs, recording and queueing nothing", async () => {
    await start();
    // A database that never answers (down, no primary): the refusal check's read, then the
    // inbox's write. Each is bounded, so GitHub hears 503 long before its own 10 s.
    const hang = () => new Promise<never>(() => {});
    const realGet = h.store.accounts.get.bind(h.store.accounts);
    h.store.accounts.get = hang;
    let started = Date.now();
    let res = await h.server.inject(signedDelivery("pull_request", openedWithBody(MARKER)));
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe("store_timeout");
    expect(Date.now() - started).toBeLessThan(4_000);

    h.store.accounts.get = realGet;
    h.store.deliveries.record = hang;
    started = Date.now();
    res = await h.server.inject(signedDelivery("pull_request", openedWithBody(MARKER)));
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.json().error.code).toBe("store_timeout");
    expect(Date.now() - started).toBeLessThan(4_000);
    // Nothing half-written: no job without a record, no charge, no run.
    await nothingWritten();
    expect(logged.text()).not.toContain(MARKER);
  });

  it("still answers unhandled events 200, and ping", async () => {
    await start();
    expect(await h.deliver("ping", { zen: "Keep it logically awesome.", hook_id: 1 })).toBe(200);
    const closed = { ...fixture("pull_request.opened"), action: "closed" };
    expect(await h.deliver("pull_request", closed)).toBe(200);
    await nothingWritten();
  });
});

/** `total` bytes of "x", 1 MiB at a time, made as they are read. */
function* chunks(total: number): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += MiB) yield Buffer.alloc(MiB, "x");
}
