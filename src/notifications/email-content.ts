/** What the billing emails (alert-email.ts, budget-warning-email.ts) share. */

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** "1 credit", "32 credits". */
export function credits(n: number): string {
  return `${n} ${n === 1 ? "credit" : "credits"}`;
}

/** A dashboard page, `${PUBLIC_URL}/${page}`, whether or not the URL ends in "/". */
export function pageUrl(publicUrl: string, page: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/${page}`;
}

/**
 * The text and HTML parts of paragraphs followed by one link. Every paragraph is escaped whole
 * in the HTML part: logins and repository names are the customer's, the URL is config.
 */
export function emailContent(
  subject: string,
  paragraphs: readonly string[],
  link: { label: string; url: string },
): EmailContent {
  const text = [...paragraphs, `${link.label}: ${link.url}`].join("\n\n") + "\n";
  const html = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`,
  ].join("\n");
  return { subject, text, html };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
