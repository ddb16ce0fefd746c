/**
 * Stripe's API as Jasper uses it, faked on 127.0.0.1 (STRIPE_API_BASE): Checkout Sessions are
 * created (remembering their metadata), a hosted checkout page stands at the session's url,
 * PaymentIntents answer with a charge and its receipt URL, and no payment has refunds.
 * Customers are made on request (one per account: Jasper sends its own idempotency key).
 */
import { startFake } from "./http-fake.js";

export interface FakeSession {
  id: string;
  metadata: Record<string, string>;
  clientReferenceId: string;
  amount: number;
  successUrl: string;
}

export async function startFakeStripe() {
  const sessions: FakeSession[] = [];
  let url = "";
  const customers = new Map<string, string>();
  const fake = await startFake((req, u, body) => {
    if (req.method === "POST" && u.pathname === "/v1/customers") {
      const key = String(req.headers["idempotency-key"] ?? customers.size);
      const id = customers.get(key) ?? `cus_fake${customers.size + 1}`;
      customers.set(key, id);
      return { json: { id, object: "customer" } };
    }
    if (req.method === "POST" && u.pathname === "/v1/checkout/sessions") {
      const form = new URLSearchParams(body);
      const metadata: Record<string, string> = {};
      for (const [k, v] of form) {
        const m = /^metadata\[(\w+)\]$/.exec(k);
        if (m) metadata[m[1]!] = v;
      }
      const id = `cs_test_fake${sessions.length + 1}`;
      const session = {
        id,
        metadata,
        clientReferenceId: form.get("client_reference_id") ?? "",
        amount: Number(form.get("line_items[0][price_data][unit_amount]")),
        successUrl: (form.get("success_url") ?? "").replace("{CHECKOUT_SESSION_ID}", id),
      };
      sessions.push(session);
      return {
        json: {
          id,
          object: "checkout.session",
          url: `${url}/checkout/${id}`,
          mode: "payment",
          metadata,
          amount_total: session.amount,
          currency: "usd",
        },
      };
    }
    const page = /^\/checkout\/(cs_\w+)$/.exec(u.pathname);
    if (req.method === "GET" && page) {
      return {
        html: `<!doctype html><html lang="en"><head><title>Fake Stripe Checkout</title></head><body><main><h1>Fake Stripe Checkout ${page[1]}</h1></main></body></html>`,
      };
    }
    const pi = /^\/v1\/payment_intents\/(pi_\w+)$/.exec(u.pathname);
    if (req.method === "GET" && pi) {
      return {
        json: {
          id: pi[1],
          object: "payment_intent",
          status: "succeeded",
          latest_charge: {
            id: `ch_${pi[1]}`,
            object: "charge",
            payment_intent: pi[1],
            receipt_url: `${url}/receipts/${pi[1]}`,
            amount_refunded: 0,
          },
        },
      };
    }
    // Nothing is refunded here: a payment's refunds are an empty list.
    if (req.method === "GET" && u.pathname === "/v1/refunds") {
      return { json: { object: "list", url: "/v1/refunds", has_more: false, data: [] } };
    }
    return null;
  });
  url = fake.url;
  return { ...fake, sessions, receiptUrl: (pi: string) => `${url}/receipts/${pi}` };
}
