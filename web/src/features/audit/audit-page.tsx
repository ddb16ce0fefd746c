import { useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { dateTime } from "../../shared/format";
import { Empty, ErrorNote, LoadMore, Loading } from "../../shared/states";
import { usePages } from "../../shared/use-pages";
import { getAuditPage, type AuditAction } from "./api";
import { ACTION_LABEL, actorOf, interfaceOf, summaryOf } from "./describe-entry";

const ACTIONS = Object.keys(ACTION_LABEL) as AuditAction[];

/** Who changed the account's money or access: the audit log, newest first, by cursor pages. */
export function AuditPage() {
  const { org } = useAccount();
  const [action, setAction] = useState<AuditAction | "">("");
  const { pages, loadMore, reload } = usePages(
    (cursor) => getAuditPage(org, action, cursor),
    [org, action],
  );

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
      {pages.state === "loading" && <Loading what="the audit log" />}
      {/* The API lets only the account's admins read it: not a failure to retry. */}
      {pages.state === "error" && pages.status === 403 && (
        <Empty>Only admins of {org} can read the audit log.</Empty>
      )}
      {pages.state === "error" && pages.status !== 403 && (
        <ErrorNote message={pages.message} retry={reload} />
      )}
      {pages.state === "ready" && pages.rows.length === 0 && (
        <Empty>Nothing recorded{action ? " for this action" : ""} yet.</Empty>
      )}
      {pages.state === "ready" && pages.rows.length > 0 && (
        <div class="table-wrap">
          <table data-testid="audit-log">
            <caption class="visually-hidden">Audit log, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Through</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {pages.rows.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>{dateTime(e.at)}</td>
                  <td>{actorOf(e)}</td>
                  <td>{ACTION_LABEL[e.action]}</td>
                  <td>{interfaceOf(e)}</td>
                  <td>{summaryOf(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages.state === "ready" && pages.next && (
        <LoadMore busy={pages.more} onClick={loadMore}>
          Older entries
        </LoadMore>
      )}
    </>
  );
}
