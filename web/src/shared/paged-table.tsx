import type { ComponentChildren, JSX } from "preact";
import { Empty, ErrorNote, Loading } from "./states";
import type { PagedList } from "./use-pages";

/**
 * A cursor-paged list as a table: its loading, error and empty states, the rows, and the
 * button that fetches the next page. `forbidden` is what a 403 says instead of an error
 * (a page only some people may read).
 */
export function PagedTable<T>({
  list,
  what,
  empty,
  forbidden,
  caption,
  columns,
  testId,
  row,
  more,
}: {
  list: PagedList<T>;
  /** "transactions": "Loading transactions…" */
  what: string;
  empty: ComponentChildren;
  forbidden?: ComponentChildren;
  caption: string;
  columns: string[];
  testId: string;
  row(item: T): JSX.Element;
  /** The next page's button, e.g. "Load more". */
  more: string;
}) {
  const { pages } = list;
  if (pages.state === "loading") return <Loading what={what} />;
  if (pages.state === "error") {
    if (pages.status === 403 && forbidden) return <Empty>{forbidden}</Empty>;
    return <ErrorNote message={pages.message} retry={list.reload} />;
  }
  if (pages.rows.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <div class="table-wrap">
        <table data-testid={testId}>
          <caption class="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{pages.rows.map(row)}</tbody>
        </table>
      </div>
      {pages.next && (
        <button type="button" onClick={list.loadMore} disabled={pages.more}>
          {pages.more ? "Loading…" : more}
        </button>
      )}
    </>
  );
}
