/**
 * What Jasper reads from the webhook events it handles, as zod schemas of exactly those fields
 * (everything else GitHub sends passes through unread). A signed delivery is GitHub's, but a
 * payload that does not fit is refused before anything is claimed, charged or stored: a string
 * account id would open a second account for a login, a non-SHA head a run that can never be
 * reviewed, a full name the ledger refuses a run left pending for good.
 */
import { z } from "zod";
import type { ReviewThread } from "../replies/comment.js";

/** GitHub's ids: positive safe integers, never strings. */
export const githubId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * An account login: letters, digits and hyphens, up to 39 characters; Enterprise Managed Users
 * add `_` and their enterprise's short code (`mona_acme`). The ledger's pull request reference
 * (src/ledger/inputs.ts) allows the same owners.
 */
const LOGIN = "[A-Za-z0-9][A-Za-z0-9_-]{0,38}";
const accountLogin = z.string().regex(new RegExp(`^${LOGIN}$`), "must be a GitHub login");
/** People and apps: an app's bot user is `<slug>[bot]`. */
const userLogin = z.string().regex(new RegExp(`^${LOGIN}(\\[bot\\])?$`), "must be a GitHub login");
/** "owner/name"; names may not be `.` or `..`. */
export const repositoryFullName = z
  .string()
  .regex(new RegExp(`^${LOGIN}/(?!\\.\\.?$)[A-Za-z0-9._-]{1,100}$`), "must be owner/name");
export const commitSha = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, "must be a commit SHA");
export const webUrl = z.url({ protocol: /^https?$/ }).max(2000);

/** The user or organization an installation, or a repository, belongs to: the one that pays. */
const githubAccount = z.object({ id: githubId, login: accountLogin, type: z.string() });
/** Enterprise-wide installations name an enterprise (a slug, no login): nothing Jasper bills. */
const enterprise = z.object({ slug: z.string() }).transform(() => null);

const repository = z.object({
  id: githubId,
  full_name: repositoryFullName,
  owner: githubAccount,
});
/** Absent when the event does not come through an installation of the app. */
const installation = z.object({ id: githubId }).optional();

export const installationEventSchema = z.object({
  installation: z.object({
    id: githubId,
    account: z.union([githubAccount, enterprise]).nullable(),
  }),
});
export type InstallationEvent = z.output<typeof installationEventSchema>;

/**
 * The account the app is installed on was renamed (`installation_target.renamed`): its id and
 * new login. An enterprise target has a slug and no login: nothing Jasper bills, so no login
 * is required here; the handler ignores such an event.
 */
export const installationTargetEventSchema = z.object({
  account: z.object({ id: githubId, login: accountLogin.optional() }),
  installation: z.object({ id: githubId }),
  target_type: z.string(),
});
export type InstallationTargetEvent = z.output<typeof installationTargetEventSchema>;

export const pullRequestEventSchema = z.object({
  action: z.string().optional(),
  pull_request: z.object({
    number: githubId,
    state: z.string(),
    draft: z.boolean().optional(),
    html_url: webUrl,
    /** The repository configuration's skip rules read the title, base, author and labels. */
    title: z.string().max(1_000).optional(),
    /** The description: a `/jasper ignore` line keeps automatic reviews away. */
    body: z.string().nullish(),
    /** GitHub's count of changed files: the review's coverage line, without asking again. */
    changed_files: z.number().int().min(0).optional(),
    // login: the PR's author, recorded on its usage entry (usage by author).
    user: z.object({ type: z.string(), login: userLogin.optional() }).nullable(),
    head: z.object({ sha: commitSha }),
    base: z.object({ ref: z.string().max(1_000) }).optional(),
    labels: z
      .array(z.object({ name: z.string().max(200) }))
      .max(1_000)
      .optional(),
  }),
  repository,
  installation,
  sender: z.object({ login: userLogin }),
});
export type PullRequestEvent = z.output<typeof pullRequestEventSchema>;

/** A comment's or pull request's author; null for a deleted ("ghost") user. */
const author = z.object({ id: githubId, login: userLogin, type: z.string() }).nullable();

export const commentEventSchema = z.object({
  comment: z.object({
    id: githubId,
    body: z.string(),
    /** The id names whoever asks for a refund, or lets a review past a budget, in the audit log. */
    user: author,
    /** OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...: the commenter's tie to the repository. */
    author_association: z.string(),
  }),
  issue: z.object({
    number: githubId,
    title: z.string(),
    html_url: webUrl,
    /** Present when the issue is a pull request: the only comments Jasper answers. */
    pull_request: z.object({}).nullish(),
    /** The pull request's author, who may ask for its review's refund. */
    user: author.optional(),
  }),
  repository,
  installation,
});
/**
 * A comment in an inline review thread. Read as an issue comment on the pull request (the
 * same commands and chat), plus the thread: the file, line and hunk it sits on.
 */
export const reviewCommentEventSchema = z.object({
  comment: z.object({
    id: githubId,
    body: z.string(),
    user: author,
    author_association: z.string(),
    path: z.string().max(4_096),
    /** The line on the diff's right side; null once the line is outdated. */
    line: z.number().int().nullish(),
    original_line: z.number().int().nullish(),
    diff_hunk: z.string().max(100_000).nullish(),
    /** The thread's first comment, when this one answers it. */
    in_reply_to_id: githubId.nullish(),
  }),
  pull_request: z.object({
    number: githubId,
    title: z.string(),
    html_url: webUrl,
    user: author.optional(),
  }),
  repository,
  installation,
});
export type ReviewCommentEvent = z.output<typeof reviewCommentEventSchema>;

/**
 * An issue comment, or a review-thread comment read as one (with its thread). It is handed to
 * the comment use case as the PullRequestComment it declares (src/replies/comment.ts), so the
 * compiler checks that what is validated here is what the use case reads.
 */
export type CommentEvent = z.output<typeof commentEventSchema> & { thread?: ReviewThread };

/** The review comment as the comment handler reads it. */
export function fromReviewComment(event: ReviewCommentEvent): CommentEvent {
  const { comment, pull_request: pull } = event;
  return {
    comment: {
      id: comment.id,
      body: comment.body,
      user: comment.user,
      author_association: comment.author_association,
    },
    issue: {
      number: pull.number,
      title: pull.title,
      html_url: pull.html_url,
      pull_request: {},
      user: pull.user,
    },
    repository: event.repository,
    installation: event.installation,
    thread: {
      rootCommentId: comment.in_reply_to_id ?? comment.id,
      path: comment.path,
      line: comment.line ?? comment.original_line ?? null,
      hunk: comment.diff_hunk ?? "",
    },
  };
}

/**
 * The schema of each event Jasper handles, by `event.action` (or by event, for every action).
 * src/github/app.ts subscribes to exactly these; the webhook route checks a delivery against
 * its schema before the app sees it.
 */
export const HANDLED_EVENTS = {
  "installation.created": installationEventSchema,
  "installation.unsuspend": installationEventSchema,
  "installation.suspend": installationEventSchema,
  "installation.deleted": installationEventSchema,
  "installation.new_permissions_accepted": installationEventSchema,
  installation_repositories: installationEventSchema,
  "installation_target.renamed": installationTargetEventSchema,
  "pull_request.opened": pullRequestEventSchema,
  "pull_request.reopened": pullRequestEventSchema,
  "pull_request.ready_for_review": pullRequestEventSchema,
  "pull_request.synchronize": pullRequestEventSchema,
  "issue_comment.created": commentEventSchema,
  "pull_request_review_comment.created": reviewCommentEventSchema,
} as const;
export type HandledEvent = keyof typeof HANDLED_EVENTS;

/** The schema a delivery must fit, or null for an event Jasper does not handle. */
export function schemaFor(name: string, payload: object): z.ZodType | null {
  const action = "action" in payload && typeof payload.action === "string" ? payload.action : "";
  const table: Readonly<Record<string, z.ZodType>> = HANDLED_EVENTS;
  return table[`${name}.${action}`] ?? table[name] ?? null;
}

/**
 * Why a delivery's payload is refused (its first problems, by path: never a value from it), or
 * null when Jasper can handle it or does not handle that event at all.
 */
export function payloadProblem(name: string, payload: unknown): string | null {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return "the payload must be a JSON object";
  }
  const schema = schemaFor(name, payload);
  if (!schema) return null;
  const result = schema.safeParse(payload);
  return result.success ? null : describeIssues(result.error);
}

/** At most three issues, as `path: message`: enough to tell what is wrong, never the value. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join(".") || "(payload)"}: ${i.message}`)
    .join("; ");
}
