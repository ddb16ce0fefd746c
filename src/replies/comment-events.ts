import type { AccountStore } from "../accounts/account-store.js";
import { DEFAULT_SETTINGS, toAccountId, type AccountId } from "../accounts/types.js";
import type { Ledger } from "../ledger/ledger.js";
import type { ReplyJob } from "../reviews/jobs.js";
import { isCommandName, type CommandName } from "../commands/commands.js";
import type { Voice } from "../voice/voice.js";
import type { PullRequestStore } from "../reviews/types.js";
import { memberOf, type AccountAdmin, type WriteAccess } from "../commands/permissions.js";
import type { EventLog } from "../shared/event-log.js";
import type { RefundCommandHandler } from "./refund-command.js";
import { parseComment } from "../commands/parse-comment.js";
import type { PullRequestComment as CommentEvent } from "./comment.js";
import type { LearningStore } from "../learnings/learning-store.js";
import { asksNotToFlag } from "../learnings/learn-syntax.js";
import { LISTED_LEARNINGS } from "../voice/voice.js";

export interface CommentEventDeps {
  accounts: Pick<AccountStore, "get">;
  ledger: Pick<Ledger, "summary" | "costOf">;
  pullRequests: Pick<PullRequestStore, "setAutoReviewPaused">;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
  /** True while this pull request may get another chat answer (a per-PR rate limit). */
  allowChat(accountId: AccountId, repositoryId: number, number: number): Promise<boolean>;
  /** True while this pull request may get another command answer (per PR and per account). */
  allowCommand(accountId: AccountId, repositoryId: number, number: number): Promise<boolean>;
  /** Whether the commenter may push to the repository, asked of GitHub. */
  writeAccess: WriteAccess;
  /** Whether the commenter administers the account (`review --over-budget`). */
  accountAdmin: AccountAdmin;
  /** `refund`, which decides itself who may ask (refund-command.ts). */
  refund: RefundCommandHandler;
  /** `/jasper learnings` lists what applies to the repository. */
  learnings: Pick<LearningStore, "list">;
  /** What the bot says, and the name it answers to. */
  voice: Voice;
}

/**
 * What a comment says of its author's tie to the repository, for a first filter: owners,
 * organization members and collaborators may command the bot. Anyone may comment on a public
 * repository, so everyone else is refused (or, for chat, ignored unless the account allows it).
 */
const WRITER_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

/**
 * Commands that spend credits (`review`, under per-run billing even on a paid pull request),
 * change how a pull request is reviewed, or show the account's balance: the association is not
 * enough for these, GitHub is asked whether the commenter has write access now.
 */
const NEEDS_WRITE_ACCESS: ReadonlySet<CommandName> = new Set([
  "review",
  "full review",
  "pause",
  "resume",
  "credits",
  "learn",
]);

/**
 * Chat and commands on pull requests. Free: nothing here charges. Comments by bots, this app
 * included, are ignored, so the bot never answers itself; so are comments on accounts whose
 * installation is suspended or removed.
 */
export function createCommentEvents(deps: CommentEventDeps) {
  return async function onComment(event: CommentEvent, log: EventLog): Promise<void> {
    const { comment, issue, repository, installation } = event;
    const author = comment.user;
    if (!issue.pull_request || !installation || !author || author.type === "Bot") return;
    const { voice } = deps;
    const parsed = parseComment(comment.body, voice.botName);
    if (!parsed) return;

    const accountId = toAccountId(repository.owner.id);
    const account = await deps.accounts.get(accountId);
    if (account && account.status !== "active") {
      log.info({ pr: issue.html_url, status: account.status }, "comment ignored: account inactive");
      return;
    }
    // An account Jasper has not stored yet (installed before it kept accounts) has the defaults.
    const settings = { ...DEFAULT_SETTINGS, ...account?.settings };
    const association = comment.author_association;
    const listed = WRITER_ASSOCIATIONS.has(association);

    const target = {
      accountId,
      installationId: installation.id,
      repository: repository.full_name,
      number: issue.number,
    };
    const pr = {
      repositoryId: repository.id,
      repository: repository.full_name,
      number: issue.number,
    };
    // In an inline review thread, answers go to the thread. Review comments are numbered apart
    // from issue comments: their jobs are named apart too.
    const thread = event.thread;
    const cid = thread ? `rc${comment.id}` : String(comment.id);
    const reply = (body: string) =>
      deps.enqueueReply(
        {
          kind: "comment",
          ...target,
          body,
          ...(thread ? { inReplyTo: thread.rootCommentId } : {}),
        },
        `reply-${cid}`,
      );
    const refuse = (name: string) => {
      log.info(
        { pr: issue.html_url, command: name.slice(0, 40), association },
        "command refused: no write access",
      );
      return reply(voice.commandRefused(isCommandName(name) ? name : null));
    };

    // What `learn` and a thread's `don't flag this` hand the worker: it records the learning.
    const learn = (mode: "command" | "dont_flag", text: string) =>
      deps.enqueueReply(
        {
          kind: "learn",
          ...target,
          repositoryId: repository.id,
          sourceKey: cid,
          commentId: comment.id,
          author: { id: author.id, login: author.login },
          mode,
          text: text.slice(0, 4000),
          ...(thread ? { thread: { rootCommentId: thread.rootCommentId, path: thread.path } } : {}),
        },
        `learn-${cid}`,
      );

    // `@jasper don't flag this` in the thread of an inline comment: a learning, with the
    // command rules (write access, the command rate limit), not a chat question.
    if (parsed.kind === "mention" && thread && asksNotToFlag(parsed.question)) {
      if (!(await deps.allowCommand(accountId, repository.id, issue.number))) {
        log.info({ pr: issue.html_url }, "command rate limit reached; learning ignored");
        return;
      }
      const who = { installationId: installation.id, repository: repository.full_name };
      if (!listed || !(await deps.writeAccess({ ...who, login: author.login }))) {
        return refuse("learn");
      }
      return learn("dont_flag", parsed.question);
    }

    if (parsed.kind === "mention") {
      if (!listed && !settings.chatFromNonWriters) {
        log.info({ pr: issue.html_url, association }, "chat from outside the repository: ignored");
        return;
      }
      if (!(await deps.allowChat(accountId, repository.id, issue.number))) {
        log.info({ pr: issue.html_url }, "chat rate limit reached; mention ignored");
        return;
      }
      await deps.enqueueReply(
        {
          kind: "chat",
          ...target,
          title: issue.title,
          question: parsed.question.slice(0, 4000),
          author: author.login,
          ...(thread
            ? {
                thread: {
                  rootCommentId: thread.rootCommentId,
                  path: thread.path,
                  line: thread.line,
                  hunk: thread.hunk.slice(-20_000),
                },
              }
            : {}),
        },
        `chat-${cid}`,
      );
      return;
    }

    if (!(await deps.allowCommand(accountId, repository.id, issue.number))) {
      log.info({ pr: issue.html_url }, "command rate limit reached; command ignored");
      return;
    }
    // `refund` is let through: a pull request's author may ask whatever the association.
    if (!listed && parsed.name !== "refund") return refuse(parsed.name);
    if (!isCommandName(parsed.name)) {
      return reply(
        voice.unknownCommand(parsed.name, deps.ledger.costOf("review"), settings.reviewCharging),
      );
    }
    if (NEEDS_WRITE_ACCESS.has(parsed.name)) {
      const who = { installationId: installation.id, repository: repository.full_name };
      if (!(await deps.writeAccess({ ...who, login: author.login }))) return refuse(parsed.name);
    }
    // One answer per command of the shared table: a command added there must be answered here.
    const commands: Record<CommandName, () => Promise<void>> = {
      review: () =>
        deps.enqueueReply(
          { kind: "review_request", ...target, repositoryId: repository.id, commentId: comment.id },
          `review-request-${cid}`,
        ),
      "full review": () =>
        deps.enqueueReply(
          {
            kind: "review_request",
            ...target,
            repositoryId: repository.id,
            commentId: comment.id,
            full: true,
          },
          `review-request-${cid}`,
        ),
      // Asked of GitHub as for `refund`: only the account's admins decide its spending.
      "review --over-budget": async () => {
        const isAdmin = await deps.accountAdmin(
          memberOf(installation.id, repository.owner, author.login),
        );
        if (!isAdmin) return reply(voice.overBudgetRefused());
        await deps.enqueueReply(
          {
            kind: "review_request",
            ...target,
            repositoryId: repository.id,
            commentId: comment.id,
            overBudgetBy: { id: author.id, login: author.login },
          },
          `review-request-${cid}`,
        );
      },
      ignore: () => reply(voice.ignoreHowTo()),
      summary: () => deps.enqueueReply({ kind: "summary", ...target }, `summary-${cid}`),
      config: () => deps.enqueueReply({ kind: "config", ...target }, `config-${cid}`),
      pause: async () => {
        await deps.pullRequests.setAutoReviewPaused(accountId, pr, true);
        await reply(voice.autoReviewsPaused());
      },
      resume: async () => {
        await deps.pullRequests.setAutoReviewPaused(accountId, pr, false);
        await reply(voice.autoReviewsResumed());
      },
      credits: async () => reply(voice.credits(await deps.ledger.summary(accountId))),
      learn: () => learn("command", parsed.argument ?? ""),
      learnings: async () => {
        const list = await deps.learnings.list(accountId, {
          appliesTo: repository.id,
          limit: LISTED_LEARNINGS + 1,
        });
        const shown = list.slice(0, LISTED_LEARNINGS);
        await reply(voice.learningsList(shown, list.length > shown.length, repository.owner.login));
      },
      refund: async () =>
        reply(await deps.refund(event, { accountId, listed, argument: parsed.argument }, log)),
      help: () => reply(voice.help(deps.ledger.costOf("review"), settings.reviewCharging)),
    };
    await commands[parsed.name]();
  };
}
