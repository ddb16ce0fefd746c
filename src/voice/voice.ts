import { checkRunWords } from "./check-run-words.js";
import { commandReplies } from "./command-replies.js";
import { voiceContext, type VoiceOptions } from "./context.js";
import { learningWords } from "./learning-words.js";
import { noticeWords } from "./notices.js";
import { pullRequestReports } from "./pull-request-reports.js";

export type { BudgetStopReport } from "./budget-words.js";
export type { VoiceOptions } from "./context.js";
export { BUDGET_NOTICE_MARKER, PAUSED_NOTICE_MARKER } from "./notices.js";
export { SUMMARY_MARKER } from "./pull-request-reports.js";
export { LISTED_LEARNINGS } from "./learning-words.js";

/**
 * What the bot says in pull request conversations, in one place, built once with the bot's
 * configured name (so no message names a command the bot does not answer to). The review
 * itself is written by the engine and reviews/review-body.ts.
 *
 * No line of any message starts with "/" or "@": the bot must never write something that
 * parses as a command or a mention of itself. Commands appear in code spans.
 */
export function createVoice(options: VoiceOptions) {
  const ctx = voiceContext(options);
  return {
    botName: ctx.botName,
    checkRun: checkRunWords(ctx),
    ...commandReplies(ctx),
    ...learningWords(ctx),
    ...pullRequestReports(ctx),
    ...noticeWords(ctx),
  };
}
export type Voice = ReturnType<typeof createVoice>;
