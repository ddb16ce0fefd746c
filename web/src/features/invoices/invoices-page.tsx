import { useAccount } from "../../shared/account";
import { credits, date } from "../../shared/format";
import { PagedTable } from "../../shared/paged-table";
import { usePages } from "../../shared/use-pages";
import { getInvoices, type Invoice } from "./api";

const STATUS_LABEL: Record<Invoice["status"], string> = {
  draft: "Draft",
  open: "Open",
  paid: "Paid",
  uncollectible: "Uncollectible",
  void: "Void",
};

/** Integer cents of `currency` as money: "$147.00". */
const money = (cents: number, currency: string): string =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(
    cents / 100,
  );

export function InvoicesPage() {
  const { org } = useAccount();
  const list = usePages((cursor) => getInvoices(org, cursor), [org]);
  return (
    <>
      <h1>Invoices</h1>
      <p>
        Every package purchase and subscription payment has a Stripe invoice. Open it on Stripe's
        page or download the PDF for your records.
      </p>
      <PagedTable
        list={list}
        what="invoices"
        empty="No invoices yet. Each purchase adds one here once Stripe issues it."
        caption="Invoices, newest first"
        columns={["Number", "Issued", "Paid", "Status", "Total", "Credits", "Invoice"]}
        testId="invoices"
        more="Load more"
        row={(i) => (
          <tr key={i.id} data-status={i.status} data-testid="invoice-row">
            <td>{i.number ?? "—"}</td>
            <td>{date(i.issuedAt ?? i.createdAt)}</td>
            <td>{i.paidAt ? date(i.paidAt) : "—"}</td>
            <td>{STATUS_LABEL[i.status] ?? i.status}</td>
            <td class="num" data-field="total">
              {money(i.total, i.currency)}
              {i.tax > 0 && <div class="sub">incl. {money(i.tax, i.currency)} tax</div>}
            </td>
            <td class="num" data-field="credits">
              {i.creditsGranted === null ? "—" : credits(i.creditsGranted)}
            </td>
            <td>
              {i.hostedInvoiceUrl && (
                <a href={i.hostedInvoiceUrl} rel="noreferrer" target="_blank" data-testid="hosted">
                  View
                </a>
              )}
              {i.hostedInvoiceUrl && i.invoicePdf && " · "}
              {i.invoicePdf && (
                <a href={i.invoicePdf} rel="noreferrer" target="_blank" data-testid="pdf">
                  PDF
                </a>
              )}
            </td>
          </tr>
        )}
      />
    </>
  );
}
