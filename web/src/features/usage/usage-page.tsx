import { useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { credits, monthName, utcMonth } from "../../shared/format";
import { getSpend, SpendFigures } from "../../shared/spend-figures";
import { Empty, Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import { getUsage, usageCsvUrl, type Grouping, type SortColumn, type UsageQuery } from "./api";
import { NetChart } from "./net-chart";

const NUMBERS: { column: Exclude<SortColumn, "key">; label: string }[] = [
  { column: "reviews", label: "Reviews" },
  { column: "charged", label: "Charged" },
  { column: "refunds", label: "Refunds" },
  { column: "refunded", label: "Refunded" },
  { column: "net", label: "Net" },
];
const GROUP_LABEL: Record<Grouping, string> = { repository: "Repository", author: "Author" };

/** A set of radio buttons; `name` groups them. */
function Choice<T extends string>({
  legend,
  name,
  value,
  options,
  onChange,
}: {
  legend: string;
  name: string;
  value: T;
  options: { value: T; label: string }[];
  onChange(value: T): void;
}) {
  return (
    <fieldset class="choices">
      <legend class="visually-hidden">{legend}</legend>
      {options.map((o) => (
        <label key={o.value} class="check">
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/** Who spends the credits: one month's usage by repository or by pull request author. */
export function UsagePage() {
  const { org } = useAccount();
  const [months] = useState(() => [utcMonth(new Date()), utcMonth(new Date(), 1)] as const);
  const [q, setQ] = useState<UsageQuery>({
    month: months[0],
    by: "repository",
    sort: "net",
    order: "desc",
  });
  const [report, reload] = useLoad(() => getUsage(org, q), [org, q]);
  // Money beside the credits: what this month and last month cost (as on the Billing page).
  const [spend, reloadSpend] = useLoad(() => getSpend(org), [org]);

  /** The same column again flips the order; a new one starts biggest first (A-Z for names). */
  const sortBy = (sort: SortColumn) =>
    setQ({
      ...q,
      sort,
      order:
        q.sort === sort ? (q.order === "asc" ? "desc" : "asc") : sort === "key" ? "asc" : "desc",
    });
  const ariaSort = (column: SortColumn) =>
    q.sort === column ? (q.order === "asc" ? "ascending" : "descending") : undefined;
  // A function, not a component: a component made in render would be remounted on every
  // render, and the sort button clicked would lose the focus.
  const sortHeader = (column: SortColumn, label: string) => (
    <th key={column} scope="col" aria-sort={ariaSort(column)} class={column === "key" ? "" : "num"}>
      <button type="button" class="sort" onClick={() => sortBy(column)}>
        {label}
        <span aria-hidden="true">{q.sort === column ? (q.order === "asc" ? " ▲" : " ▼") : ""}</span>
      </button>
    </th>
  );

  return (
    <>
      <h1>Who spends the credits</h1>
      <div class="filters">
        <Choice
          legend="Group by"
          name="by"
          value={q.by}
          options={[
            { value: "repository", label: "By repository" },
            { value: "author", label: "By author" },
          ]}
          onChange={(by) => setQ({ ...q, by })}
        />
        <Choice
          legend="Month"
          name="month"
          value={q.month}
          options={[
            { value: months[0], label: `This month (${monthName(months[0])})` },
            { value: months[1], label: `Last month (${monthName(months[1])})` },
          ]}
          onChange={(month) => setQ({ ...q, month })}
        />
        <a class="button" href={usageCsvUrl(org, q)} download data-testid="usage-csv">
          Export CSV
        </a>
      </div>
      <Loaded value={spend} what="spend" retry={reloadSpend}>
        {(sp) => <SpendFigures spend={sp} />}
      </Loaded>
      <Loaded value={report} what="usage" retry={reload}>
        {(r) =>
          r.rows.length === 0 ? (
            <Empty>No reviews were charged or refunded in {monthName(r.month)}.</Empty>
          ) : (
            <>
              <NetChart rows={r.rows} by={r.by} />
              <div class="table-wrap">
                <table data-testid="usage-table" data-by={r.by} data-month={r.month}>
                  <caption>
                    {monthName(r.month)}: {credits(r.total.net)} net, over {r.total.reviews}{" "}
                    {r.total.reviews === 1 ? "review" : "reviews"}
                  </caption>
                  <thead>
                    <tr>
                      {sortHeader("key", GROUP_LABEL[r.by])}
                      {NUMBERS.map((n) => sortHeader(n.column, n.label))}
                    </tr>
                  </thead>
                  <tbody>
                    {r.rows.map((row) => (
                      <tr key={row.key} data-key={row.key}>
                        <th scope="row">{row.key}</th>
                        {NUMBERS.map((n) => (
                          <td key={n.column} class="num">
                            {row[n.column]}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row">Total</th>
                      {NUMBERS.map((n) => (
                        <td key={n.column} class="num">
                          {r.total[n.column]}
                        </td>
                      ))}
                    </tr>
                  </tfoot>
                </table>
              </div>
            </>
          )
        }
      </Loaded>
    </>
  );
}
