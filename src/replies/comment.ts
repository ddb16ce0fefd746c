/**
 * A comment on a pull request, as the comment use case reads it: an issue comment, or a
 * comment in an inline review thread read as one (with its thread). src/github validates the
 * webhook payload it comes from (webhook-payloads.ts) and hands it over in this shape.
 */

/** A person as GitHub names them; null for a deleted ("ghost") user. */
export type GitHubPerson = { id: number; login: string; type: string } | null;

/** Where an inline review thread sits. */
export interface ReviewThread {
  /** The thread's first comment: replies go under it. */
  rootCommentId: number;
  path: string;
  line: number | null;
  hunk: string;
}

export interface PullRequestComment {
  comment: {
    id: number;
    body: string;
    /** Names whoever asks for a refund, or lets a review past a budget, in the audit log. */
    user: GitHubPerson;
    /** OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...: the commenter's tie to the repository. */
    author_association: string;
  };
  issue: {
    number: number;
    title: string;
    html_url: string;
    /** Present when the issue is a pull request: the only comments Jasper answers. */
    pull_request?: object | null | undefined;
    /** The pull request's author, who may ask for its review's refund. */
    user?: GitHubPerson | undefined;
  };
  repository: { id: number; full_name: string; owner: { id: number; login: string; type: string } };
  /** Absent when the event does not come through an installation of the app. */
  installation?: { id: number } | undefined;
  thread?: ReviewThread | undefined;
}
