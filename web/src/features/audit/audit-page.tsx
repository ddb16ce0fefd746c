import { useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { dateTime } from "../../shared/format";
import { PagedTable } from "../../shared/paged-table";
import { usePages } from "../../shared/use-pages";
import { getAuditPage, type AuditAction } from "./api";
import { ACTION_LABEL, actorOf, interfaceOf, summaryOf } from "./describe-entry";

const ACTIONS = Object.keys(ACTION_LABEL) as AuditAction[];

/** Who changed the account's money or access: the audit log, newest first, by cursor pages. */
export function AuditPage() {
  const { org } = useAccount();
  const [action, setAction] = useState<AuditAction | "">("");
  const list = usePages((cursor) => getAuditPage(org, action, cursor), [org, action]);

  return (
    <>
      <h1>Audit log</h1>
      <p>
        Who changed the money or access of {org}: purchases, grants, adjustments, refunds, settings,
        API keys and sign-ins.
      </p>
      <div class="filters">
        <label>
          Action
          <select
            name="action"
            value={action}
            onChange={(e) => setAction((e.currentTarget as HTMLSelectElement).value as AuditAction)}
          >
            <option value="">All actions</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {ACTION_LABEL[a]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <PagedTable
        list={list}
        what="the audit log"
        empty={`Nothing recorded${action ? " for this action" : ""} yet.`}
        // The API lets only the account's admins read it: not a failure to retry.
        forbidden={`Only admins of ${org} can read the audit log.`}
        caption="Audit log, newest first"
        columns={["When", "Who", "Action", "Through", "Details"]}
        testId="audit-log"
        more="Older entries"
        row={(e) => (
          <tr key={e.id} data-action={e.action}>
            <td>{dateTime(e.at)}</td>
            <td>{actorOf(e)}</td>
            <td>{ACTION_LABEL[e.action]}</td>
            <td>{interfaceOf(e)}</td>
            <td>{summaryOf(e)}</td>
          </tr>
        )}
      />
    </>
  );
}
