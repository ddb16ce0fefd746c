/**
 * What the bot says. No line of any message starts with "/" or "@": the bot must never write
 * something that parses as a command or a mention of itself.
 */
export const PAUSED_NOTICE_MARKER = "<!-- jasper:paused-notice -->";

export function pausedNotice(publicUrl: string, botName: string): string {
  return [
    "**Jasper reviews are paused for this account: the credit balance is 0.**",
    "",
    `Chat (mention @${botName}) and commands keep working, free of charge.`,
    `To resume automatic reviews, buy credits (${publicUrl}/billing) and then comment \`/${botName} review\` on this pull request.`,
    "",
    PAUSED_NOTICE_MARKER,
  ].join("\n");
}

export function helpText(botName: string, reviewCost: number): string {
  const credit = `${reviewCost} credit${reviewCost === 1 ? "" : "s"}`;
  return [
    `**Jasper** reviews pull requests: ${credit} per pull request, later pushes re-reviewed at no extra charge (your organization may choose to charge every review run).`,
    "",
    "Commands, all free:",
    `- \`/${botName} review\`: review this pull request now (charged only if it has not been paid for yet)`,
    `- \`/${botName} pause\`, \`/${botName} resume\`: stop or restart automatic reviews on this pull request`,
    `- \`/${botName} credits\`: show the credit balance`,
    `- \`/${botName} help\`: this list`,
    "",
    `Ask anything about the change by mentioning @${botName} in a comment (free).`,
  ].join("\n");
}
