import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedEmail {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  subject: string;
  /** The whole message with headers unfolded and quoted-printable decoded: for `toContain`. */
  body: string;
}

export interface SmtpSink {
  port: number;
  url: string;
  received: ReceivedEmail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 that keeps what it receives. Port 0 picks a free port;
 * pass one to bring a closed sink back on the same address.
 */
export async function startSmtpSink(port = 0, received: ReceivedEmail[] = []): Promise<SmtpSink> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const to = session.envelope.rcptTo.map((r) => r.address);
        received.push({ to, subject: header(raw, "Subject"), body: decode(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `smtp://127.0.0.1:${bound}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function unfold(raw: string): string {
  return raw.replace(/\r?\n[ \t]+/g, " ");
}

function header(raw: string, name: string): string {
  const head = unfold(raw.split(/\r?\n\r?\n/)[0] ?? "");
  const line = head
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : "";
}

function decode(raw: string): string {
  return unfold(raw)
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
