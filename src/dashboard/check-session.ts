/**
 * Every request's session is checked against the revocations before anything reads it as a
 * credential (sessionCredential only hands out what this hook confirmed). A revoked session,
 * or one from before sessions had an id and an issue time, is emptied: the request is signed
 * out and the browser's cookie replaced by an empty one. When Redis cannot answer, the
 * session is neither accepted nor dropped: whatever needs it answers 503 (fail closed).
 */
import type { FastifyRequest } from "fastify";
import { recordSessionCheck, storedSession } from "../api/auth/session-credential.js";
import type { SessionRevocations } from "./session-revocations.js";

export function checkSession(revocations: Pick<SessionRevocations, "check">) {
  return async (request: FastifyRequest): Promise<void> => {
    const stored = storedSession(request);
    if (!stored) return;
    const { sid, issuedAt } = stored;
    // Made before this check existed: it cannot be revoked, so it does not count (one more
    // sign-in for everyone signed in across the upgrade).
    if (!sid || typeof issuedAt !== "number") {
      request.session.regenerate();
      return;
    }
    let state: "valid" | "revoked";
    try {
      state = await revocations.check({ sid, userId: stored.user.id, issuedAt });
    } catch (err) {
      recordSessionCheck(request, "unavailable");
      request.log.warn(
        { err: (err as Error).message },
        "dashboard session not checked: Redis did not answer; what needs it is refused (503)",
      );
      return;
    }
    if (state === "valid") recordSessionCheck(request, "valid");
    else request.session.regenerate();
  };
}
