/**
 * A repository event is handled with its installation's token and charged to the repository's
 * owner, so the two must be one account. The accounts store holds the installation each
 * installation event named (GitHub's own word on whose it is); a repository event whose
 * installation is held by another account, or whose owner holds another installation, is
 * refused before the app sees it: no claim, no charge, no GitHub call with that token.
 *
 * An installation no installation event has named yet (an account installed before Jasper
 * kept them, until its next installation event) cannot be checked, and passes as before.
 */
import { z } from "zod";
import type { AccountStore } from "../accounts/account-store.js";
import { toAccountId } from "../accounts/types.js";

/** The fields this check reads, of any event about a repository through an installation. */
const repositoryEvent = z.object({
  installation: z.object({ id: z.number() }),
  repository: z.object({ owner: z.object({ id: z.number(), login: z.string() }) }),
});

/** Why a delivery is refused, for its answer and its log line (never the payload). */
export interface EventRefusal {
  code: string;
  message: string;
  /** What the warning logs, beside the event's name and delivery id. */
  details: Record<string, unknown>;
}

export type InstallationOwnerCheck = (payload: unknown) => Promise<EventRefusal | null>;

export function createInstallationOwnerCheck(
  accounts: Pick<AccountStore, "get" | "findByInstallation">,
): InstallationOwnerCheck {
  return async (payload) => {
    const parsed = repositoryEvent.safeParse(payload);
    if (!parsed.success) return null;
    const installation = parsed.data.installation.id;
    const owner = parsed.data.repository.owner;
    const holder = await accounts.findByInstallation(installation);
    const ownerAccount =
      holder?.id === owner.id ? holder : await accounts.get(toAccountId(owner.id));
    const held = ownerAccount?.installationId;
    const mismatch =
      (holder !== null && holder.id !== owner.id) || (held !== undefined && held !== installation);
    if (!mismatch) return null;
    return {
      code: "installation_mismatch",
      message: "the installation does not belong to the repository's owner",
      details: {
        installation,
        owner: { id: owner.id, login: owner.login },
        installationAccount: holder?.id ?? null,
        ownerInstallation: held ?? null,
      },
    };
  };
}
