import { useEffect, useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { credits, dateTime } from "../../shared/format";
import { Empty, ErrorNote, Loading } from "../../shared/states";
import { csvUrl, getPage, type EntryType, type Filters, type Transaction } from "./api";

const TYPES: { value: EntryType | ""; label: string }[] = [
  { value: "", label: "All types" },
  { value: "purchase", label: "Purchases" },
  { value: "usage", label: "Usage" },
  { value: "refund", label: "Refunds" },
  { value: "free_tier", label: "Free credits" },
  { value: "bonus", label: "Bonus" },
  { value: "expiration", label: "Expirations" },
  { value: "adjustment", label: "Adjustments" },
];
const TYPE_LABEL: Record<string, string> = {
  purchase: "Purchase",
  usage: "Usage",
  refund: "Refund",
  free_tier: "Free credits",
  bonus: "Bonus",
  expiration: "Expiration",
  adjustment: "Adjustment",
};

type Rows =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; rows: Transaction[]; next: string | null; more: boolean };

export function HistoryPage() {
  const { org } = useAccount();
  const [filters, setFilters] = useState<Filters>({ type: "", from: "", to: "" });
  const [draft, setDraft] = useState<Filters>(filters);
  const [rows, setRows] = useState<Rows>({ state: "loading" });

  useEffect(() => {
    let live = true;
    setRows({ state: "loading" });
    getPage(org, filters).then(
      (p) =>
        live && setRows({ state: "ready", rows: p.transactions, next: p.nextCursor, more: false }),
      (err: Error) => live && setRows({ state: "error", message: err.message }),
    );
    return () => {
      live = false;
    };
  }, [org, filters]);

  async function loadMore() {
    if (rows.state !== "ready" || !rows.next) return;
    setRows({ ...rows, more: true });
    try {
      const p = await getPage(org, filters, rows.next);
      setRows({
        state: "ready",
        rows: [...rows.rows, ...p.transactions],
        next: p.nextCursor,
        more: false,
      });
    } catch (err) {
      setRows({ state: "error", message: (err as Error).message });
    }
  }

  const set = (field: keyof Filters) => (e: Event) =>
    setDraft({ ...draft, [field]: (e.currentTarget as HTMLInputElement).value });

  return (
    <>
      <h1>Transaction history</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <label>
          Type
          <select name="type" value={draft.type} onChange={set("type")}>
            {TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" value={draft.from} onChange={set("from")} />
        </label>
        <label>
          To
          <input type="date" name="to" value={draft.to} onChange={set("to")} />
        </label>
        <button type="submit">Apply filters</button>
        <a class="button" href={csvUrl(org, filters)} download data-testid="csv-export">
          Export CSV
        </a>
      </form>
      {rows.state === "loading" && <Loading what="transactions" />}
      {rows.state === "error" && (
        <ErrorNote message={rows.message} retry={() => setFilters({ ...filters })} />
      )}
      {rows.state === "ready" && rows.rows.length === 0 && <Empty>No transactions match.</Empty>}
      {rows.state === "ready" && rows.rows.length > 0 && (
        <div class="table-wrap">
          <table data-testid="history">
            <caption class="visually-hidden">Transactions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Type</th>
                <th scope="col">Credits</th>
                <th scope="col">Balance after</th>
                <th scope="col">Description</th>
                <th scope="col">Link</th>
              </tr>
            </thead>
            <tbody>
              {rows.rows.map((t) => (
                <tr key={t.id} data-type={t.type}>
                  <td>{dateTime(t.createdAt)}</td>
                  <td>{TYPE_LABEL[t.type] ?? t.type}</td>
                  <td class={t.amount < 0 ? "num neg" : "num"}>
                    {t.amount > 0 ? "+" : ""}
                    {credits(t.amount)}
                  </td>
                  <td class="num">{t.balanceAfter}</td>
                  <td>
                    {t.description}
                    {t.refundRequest && (
                      // Asked for on the pull request: told apart from a failed review's refund.
                      <div class="refund-request" data-testid="refund-request">
                        Refund requested by @{t.refundRequest.login}: {t.refundRequest.reason}
                      </div>
                    )}
                  </td>
                  <td>
                    <EntryLink t={t} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.state === "ready" && rows.next && (
        <button type="button" onClick={() => void loadMore()} disabled={rows.more}>
          {rows.more ? "Loading…" : "Load more"}
        </button>
      )}
    </>
  );
}

function EntryLink({ t }: { t: Transaction }) {
  if (t.pullRequest?.url && (t.type === "usage" || t.type === "refund")) {
    return (
      <a href={t.pullRequest.url} rel="noreferrer" target="_blank">
        {t.pullRequest.repository}#{t.pullRequest.number}
      </a>
    );
  }
  if (t.pullRequest) return <span>{`${t.pullRequest.repository}#${t.pullRequest.number}`}</span>;
  if (t.stripe?.receiptUrl) {
    return (
      <a href={t.stripe.receiptUrl} rel="noreferrer" target="_blank" data-testid="receipt">
        Receipt
      </a>
    );
  }
  return null;
}
