import { useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { dateTime, signedCredits } from "../../shared/format";
import { PagedTable } from "../../shared/paged-table";
import { usePages } from "../../shared/use-pages";
import { getPage, historyCsvUrl, type EntryType, type Filters, type Transaction } from "./api";

const TYPES: { value: EntryType | ""; label: string }[] = [
  { value: "", label: "All types" },
  { value: "purchase", label: "Purchases" },
  { value: "usage", label: "Usage" },
  { value: "refund", label: "Refunds" },
  { value: "free_tier", label: "Free credits" },
  { value: "plan", label: "Plan credits" },
  { value: "bonus", label: "Bonus" },
  { value: "expiration", label: "Expirations" },
  { value: "adjustment", label: "Adjustments" },
];
const TYPE_LABEL: Record<string, string> = {
  purchase: "Purchase",
  usage: "Usage",
  refund: "Refund",
  free_tier: "Free credits",
  plan: "Plan credits",
  bonus: "Bonus",
  expiration: "Expiration",
  adjustment: "Adjustment",
};

export function HistoryPage() {
  const { org } = useAccount();
  const [filters, setFilters] = useState<Filters>({ type: "", from: "", to: "" });
  const [draft, setDraft] = useState<Filters>(filters);
  const list = usePages((cursor) => getPage(org, filters, cursor), [org, filters]);

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
        <a class="button" href={historyCsvUrl(org, filters)} download data-testid="csv-export">
          Export CSV
        </a>
      </form>
      <PagedTable
        list={list}
        what="transactions"
        empty="No transactions match."
        caption="Transactions, newest first"
        columns={["Date", "Type", "Credits", "Balance after", "Description", "Link"]}
        testId="history"
        more="Load more"
        row={(t) => (
          <tr key={t.id} data-type={t.type}>
            <td>{dateTime(t.createdAt)}</td>
            <td>{TYPE_LABEL[t.type] ?? t.type}</td>
            <td class={t.amount < 0 ? "num neg" : "num"}>{signedCredits(t.amount)}</td>
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
        )}
      />
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
