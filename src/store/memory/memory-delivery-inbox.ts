import type {
  DeliveryInbox,
  InboxDelivery,
  NewDelivery,
  RecordResult,
} from "../../deliveries/delivery-inbox.js";

/** The inbox in process memory, unique by delivery id. Records handed out are copies. */
export class MemoryDeliveryInbox implements DeliveryInbox {
  private readonly byId = new Map<string, InboxDelivery>();

  async record(delivery: NewDelivery): Promise<RecordResult> {
    const existing = this.byId.get(delivery.id);
    if (existing) return { status: "duplicate", existing: existing.status };
    // Kept as given (the webhook never touches a payload after recording it); what is handed
    // out is a copy, so no reader can change what is stored.
    this.byId.set(delivery.id, {
      ...delivery,
      receivedAt: new Date(delivery.receivedAt),
      status: "received",
      attempts: 0,
      finishedAt: null,
      error: null,
    });
    return { status: "recorded" };
  }

  async get(id: string): Promise<InboxDelivery | null> {
    const found = this.byId.get(id);
    return found ? copy(found) : null;
  }

  async startAttempt(id: string): Promise<InboxDelivery | null> {
    const found = this.byId.get(id);
    if (!found || found.status !== "received") return null;
    found.attempts++;
    return copy(found);
  }

  async reopen(id: string): Promise<boolean> {
    const found = this.byId.get(id);
    if (!found || found.status !== "failed") return false;
    found.status = "received";
    found.finishedAt = null;
    found.error = null;
    return true;
  }

  async finish(
    id: string,
    outcome: "processed" | "failed",
    at: Date,
    error?: string,
  ): Promise<void> {
    const found = this.byId.get(id);
    if (!found || found.status !== "received") return;
    found.status = outcome;
    found.finishedAt = new Date(at);
    found.error = outcome === "failed" ? (error ?? null) : null;
  }

  async listUnprocessed(
    receivedBefore: Date,
    limit: number,
    after?: Pick<InboxDelivery, "id" | "receivedAt">,
  ): Promise<InboxDelivery[]> {
    return [...this.byId.values()]
      .filter((d) => d.status === "received" && d.receivedAt < receivedBefore)
      .filter((d) => !after || compare(d, after) > 0)
      .sort(compare)
      .slice(0, limit)
      .map(copy);
  }

  async recordedDeliveries(guids: readonly string[]): Promise<Set<string>> {
    return new Set(guids.filter((id) => this.byId.has(id)));
  }
}

/** Oldest first, then by id: the order the sweep pages in. */
function compare(
  a: Pick<InboxDelivery, "id" | "receivedAt">,
  b: Pick<InboxDelivery, "id" | "receivedAt">,
): number {
  const byTime = a.receivedAt.getTime() - b.receivedAt.getTime();
  return byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function copy(d: InboxDelivery): InboxDelivery {
  return {
    ...d,
    payload: structuredClone(d.payload),
    receivedAt: new Date(d.receivedAt),
    finishedAt: d.finishedAt ? new Date(d.finishedAt) : null,
  };
}
