import { createTransport } from "nodemailer";

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects on any SMTP failure. */
  send(email: OutgoingEmail): Promise<{ accepted: string[]; rejected: string[] }>;
  close(): void;
}

/**
 * SMTP through nodemailer. The timeouts are far below nodemailer's defaults (2 min to
 * connect, 10 min idle) so that a server that hangs fails the job, which BullMQ retries,
 * instead of holding a worker slot; settings given in the URL's query still win.
 */
export function createMailer(smtpUrl: string, from: string): Mailer {
  const transport = createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(email) {
      const info = await transport.sendMail({
        from,
        ...email,
        // RFC 3834: tells mail servers and people's auto-replies this is machine mail.
        headers: { "Auto-Submitted": "auto-generated" },
      });
      return { accepted: info.accepted.map(String), rejected: info.rejected.map(String) };
    },
    close() {
      transport.close();
    },
  };
}
