/**
 * After Stripe Checkout. Success: credits are granted only by Stripe's signed webhook, so this
 * waits for the purchase entry of this Checkout Session to appear and says so meanwhile; it
 * never grants anything itself. Cancelled: nothing was charged.
 */
import { useEffect, useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { accountPath } from "../../shared/dashboard-path";
import { credits } from "../../shared/format";
import { onLinkClick } from "../../shared/navigate";
import { transactionsSince, type Transaction } from "./api";

const POLL_MS = 1_500;
const GIVE_UP_MS = 5 * 60_000;

export function CheckoutSuccess({ sessionId }: { sessionId: string | null }) {
  const { org, refreshSummary } = useAccount();
  const [found, setFound] = useState<Transaction | null>(null);
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    let live = true;
    const started = Date.now();
    const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
    async function poll() {
      try {
        const purchases = await transactionsSince(org, ["purchase"], since);
        const mine = purchases.find((t) => t.stripe?.checkoutSession === sessionId);
        if (mine && live) {
          setFound(mine);
          refreshSummary();
          return;
        }
      } catch {
        // A failed poll is tried again: the page says it is still waiting.
      }
      if (!live) return;
      if (Date.now() - started > GIVE_UP_MS) setSlow(true);
      else setTimeout(() => void poll(), POLL_MS);
    }
    void poll();
    return () => {
      live = false;
    };
  }, [org, sessionId, refreshSummary]);

  return (
    <section class="notice" aria-live="polite" data-testid="checkout-success">
      <h2>Thank you for your purchase</h2>
      {found ? (
        <p data-testid="granted">
          {credits(found.amount)} added to {org}. Your new balance is {credits(found.balanceAfter)}.
        </p>
      ) : slow ? (
        <p>
          Stripe has not confirmed the payment yet. The credits arrive as soon as it does; check the{" "}
          <a href={accountPath(org, "history")} onClick={onLinkClick}>
            history
          </a>{" "}
          later.
        </p>
      ) : (
        <p role="status">
          Waiting for Stripe to confirm the payment… Your credits appear here then.
        </p>
      )}
    </section>
  );
}

export function CheckoutCancelled() {
  return (
    <section class="notice" data-testid="checkout-cancelled">
      <h2>Purchase cancelled</h2>
      <p>Nothing was charged. You can buy credits whenever you like.</p>
    </section>
  );
}
