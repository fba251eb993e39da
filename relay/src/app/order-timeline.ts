import type { PaymentSession } from '../domain/payment-session';
import type { PaymentLog, PaymentLogEntry } from '../ports/payment-log';
import type { SessionStore } from '../ports/session-store';

export interface OrderTimeline {
  orderId: string;
  sessions: PaymentSession[];
  /** Oldest first; entries written at the same millisecond keep the order they were written in. */
  entries: PaymentLogEntry[];
}

export interface OrderTimelineDeps {
  sessions: Pick<SessionStore, 'listByOrder'>;
  log: Pick<PaymentLog, 'listByOrder'>;
}

/**
 * One order's payment log and sessions: what GET /v1/orders/:id/timeline answers the plugin and what the
 * dashboard shows support. Null when the relay has never heard of the order.
 */
export function orderTimeline(deps: OrderTimelineDeps, orderId: string): OrderTimeline | null {
  const sessions = deps.sessions.listByOrder(orderId);
  const entries = deps.log.listByOrder(orderId);
  if (sessions.length === 0 && entries.length === 0) return null;
  return {
    orderId,
    sessions,
    entries: entries
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => a.entry.at - b.entry.at || a.index - b.index)
      .map(({ entry }) => entry),
  };
}
