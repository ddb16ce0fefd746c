import type { AuditActor } from "../../audit/types.js";
import type { Admin } from "../../administration/admin.js";
import type { Caller } from "./authenticate.js";

/** Who a request is, as the audit log records it: a person by GitHub id and login, a key by id. */
export function auditActorOf(caller: Caller): AuditActor {
  return caller.kind === "github"
    ? { kind: "github_user", id: caller.user.id, login: caller.user.login }
    : { kind: "api_key", id: caller.key.id };
}

/** The caller as an account's administration use cases take it: who, through the API. */
export function adminOf(caller: Caller): Admin {
  return { actor: auditActorOf(caller), interface: "api" };
}
