/**
 * A Stripe of one customer's invoices and invoice items, served with nock on api.stripe.com, for
 * the enterprise invoice tests. Objects are shaped by stripe-node's types. It keeps what a roll
 * relies on: idempotency keys (a repeated key answers the first answer, a key reused with other
 * parameters is refused) until `forgetKeys()`, as Stripe does after about 24 hours, after which a
 * repeated create makes a NEW object; the list's filters, order and pages; and the invoice
 * workflow (items only on a draft, finalize only a draft, send only an open invoice).
 */
import nock from "nock";
import type Stripe from "stripe";
import { STRIPE_API } from "./stripe-test-kit.js";

export type Step = "list" | "invoice" | "item" | "items" | "finalize" | "send";

export interface FakeRequest {
  step: Step;
  path: string;
  key: string | undefined;
  /** The form body or the query, as Stripe reads it ("metadata[x]" keys stay flat). */
  params: Record<string, string>;
}

type Invoice = Pick<
  Stripe.Invoice,
  "id" | "object" | "customer" | "currency" | "collection_method" | "status" | "created"
> & { metadata: Record<string, string>; amount_due: number; description: string | null };

type InvoiceItem = Pick<
  Stripe.InvoiceItem,
  "id" | "object" | "amount" | "currency" | "customer" | "description"
> & { invoice: string; metadata: Record<string, string> };

type Answer = [number, unknown];

const stripeError = (status: number, type: string, message: string): Answer => [
  status,
  { error: { type, message } },
];

/** The "metadata[x]" fields of a form body, as an object. */
const metadataOf = (params: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(params)
      .filter(([k]) => k.startsWith("metadata["))
      .map(([k, v]) => [k.slice("metadata[".length, -1), v]),
  );

export function fakeStripeInvoices(customer: string, now: () => Date) {
  const invoices: Invoice[] = [];
  const items: InvoiceItem[] = [];
  const requests: FakeRequest[] = [];
  const sends = new Map<string, number>();
  const remembered = new Map<string, { params: string; answer: Answer }>();
  const failing = new Set<Step>();
  let ids = 0;
  const seconds = () => Math.floor(now().getTime() / 1000);
  const invoiceOf = (id: string) => invoices.find((i) => i.id === id);
  const snapshot = (i: Invoice) => ({ ...i, metadata: { ...i.metadata } });

  function list(query: Record<string, string>): Answer {
    const gte = Number(query["created[gte]"] ?? 0);
    const limit = Number(query["limit"] ?? 10);
    // Newest first, as Stripe lists; the id breaks ties so pages are stable.
    const all = invoices
      .filter((i) => i.customer === query["customer"] && i.created >= gte)
      .sort((a, b) => b.created - a.created || b.id.localeCompare(a.id));
    const after = query["starting_after"];
    const from = after ? all.findIndex((i) => i.id === after) + 1 : 0;
    const data = all.slice(from, from + limit);
    return [
      200,
      { object: "list", url: "/v1/invoices", has_more: from + limit < all.length, data },
    ];
  }

  function createInvoice(p: Record<string, string>): Answer {
    const invoice: Invoice = {
      id: `in_${++ids}`,
      object: "invoice",
      customer: p["customer"]!,
      currency: p["currency"]!,
      collection_method: p["collection_method"] as Stripe.Invoice.CollectionMethod,
      status: "draft",
      created: seconds(),
      metadata: metadataOf(p),
      amount_due: 0,
      description: p["description"] ?? null,
    };
    invoices.push(invoice);
    return [200, snapshot(invoice)];
  }

  function createItem(p: Record<string, string>): Answer {
    const invoice = invoiceOf(p["invoice"]!);
    if (!invoice) return stripeError(404, "invalid_request_error", "No such invoice");
    if (invoice.status !== "draft") {
      return stripeError(400, "invalid_request_error", "invoice_not_editable");
    }
    const item: InvoiceItem = {
      id: `ii_${++ids}`,
      object: "invoiceitem",
      amount: Number(p["amount"]),
      currency: p["currency"]!,
      customer: p["customer"]!,
      description: p["description"] ?? null,
      invoice: invoice.id,
      metadata: metadataOf(p),
    };
    items.push(item);
    return [200, item];
  }

  function finalize(id: string): Answer {
    const invoice = invoiceOf(id);
    if (!invoice) return stripeError(404, "invalid_request_error", "No such invoice");
    if (invoice.status !== "draft") {
      return stripeError(400, "invalid_request_error", "status_transition_invalid");
    }
    invoice.status = "open";
    invoice.amount_due = items
      .filter((i) => i.invoice === id)
      .reduce((sum, i) => sum + i.amount, 0);
    return [200, snapshot(invoice)];
  }

  function send(id: string): Answer {
    const invoice = invoiceOf(id);
    if (!invoice) return stripeError(404, "invalid_request_error", "No such invoice");
    if (invoice.status !== "open") {
      return stripeError(400, "invalid_request_error", "invoice is not open");
    }
    sends.set(id, (sends.get(id) ?? 0) + 1);
    return [200, snapshot(invoice)];
  }

  function route(method: string, path: string): Step | null {
    if (method === "GET" && path === "/v1/invoices") return "list";
    if (method === "GET" && path === "/v1/invoiceitems") return "items";
    if (method === "POST" && path === "/v1/invoices") return "invoice";
    if (method === "POST" && path === "/v1/invoiceitems") return "item";
    if (method === "POST" && /^\/v1\/invoices\/[^/]+\/finalize$/.test(path)) return "finalize";
    if (method === "POST" && /^\/v1\/invoices\/[^/]+\/send$/.test(path)) return "send";
    return null;
  }

  function act(step: Step, path: string, params: Record<string, string>): Answer {
    const id = path.split("/")[3]!;
    switch (step) {
      case "list":
        return list(params);
      case "items": {
        const data = items.filter((i) => i.invoice === params["invoice"]);
        return [200, { object: "list", url: "/v1/invoiceitems", has_more: false, data }];
      }
      case "invoice":
        return createInvoice(params);
      case "item":
        return createItem(params);
      case "finalize":
        return finalize(id);
      case "send":
        return send(id);
    }
  }

  function answer(method: string, uri: string, body: unknown, key: string | undefined): Answer {
    const url = new URL(uri, STRIPE_API);
    const step = route(method, url.pathname);
    if (!step) return stripeError(404, "invalid_request_error", `no route ${method} ${uri}`);
    const form = method === "GET" ? url.searchParams : new URLSearchParams(String(body ?? ""));
    const params = Object.fromEntries(form);
    requests.push({ step, path: url.pathname, key, params });
    // Stripe down: nothing done, nothing remembered under the key.
    if (failing.delete(step)) return stripeError(500, "api_error", "Stripe is down");
    if (method !== "POST" || !key) return act(step, url.pathname, params);
    const seen = remembered.get(key);
    const asked = `${url.pathname} ${JSON.stringify(params)}`;
    if (seen) {
      return seen.params === asked
        ? seen.answer
        : stripeError(400, "idempotency_error", "Keys can only be reused with the same parameters");
    }
    const done = act(step, url.pathname, params);
    remembered.set(key, { params: asked, answer: done });
    return done;
  }

  // Persisted and optional: served as often as asked, and a test that asks nothing passes.
  const scope = nock(STRIPE_API).persist();
  for (const method of ["GET", "POST"] as const) {
    scope
      .intercept(/^\/v1\//, method)
      .query(true)
      .optionally()
      .reply(function (uri, body) {
        const key = this.req.headers["idempotency-key"];
        return answer(method, uri, body, key === undefined ? undefined : String(key));
      });
  }

  return {
    requests,
    invoices,
    items,
    /** How many times each invoice was sent. */
    sends,
    /** The next request of this step answers 500, and nothing is done. */
    failNext: (step: Step) => void failing.add(step),
    /** What Stripe does with idempotency keys after about 24 hours. */
    forgetKeys: () => remembered.clear(),
    /** An invoice made elsewhere (another month, another plan, by hand), on the same customer. */
    seed(fields: { status: Stripe.Invoice.Status; metadata?: Record<string, string> }) {
      const invoice: Invoice = {
        id: `in_${++ids}`,
        object: "invoice",
        customer,
        currency: "usd",
        collection_method: "send_invoice",
        status: fields.status,
        created: seconds(),
        metadata: fields.metadata ?? {},
        amount_due: 0,
        description: null,
      };
      invoices.push(invoice);
      return invoice;
    },
    /** What an operator does in the Dashboard: void an invoice, or mark it uncollectible. */
    setStatus(id: string, status: Stripe.Invoice.Status) {
      invoiceOf(id)!.status = status;
    },
  };
}

export type StripeInvoiceFake = ReturnType<typeof fakeStripeInvoices>;
