/** The steps of a payment that support reads to answer "what happened to this order?". */
export const PAYMENT_LOG_KINDS = [
  'session_created',
  'provider_selected',
  /** Why routing put a provider where it did for this payment (split by order, moved down for its health): issue 11. */
  'routing_decision',
  'provider_attempt_failed',
  'customer_redirected',
  'webhook_received',
  'webhook_rejected',
  'webhook_ignored',
  'status_changed',
  'order_updated',
  'order_update_retry',
  'order_update_failed',
  'session_expired',
  'reconciled',
  'refund_requested',
  'alert',
  /** A payment link sent, opened, revoked, or refused (expired, already paid): issue 11. */
  'payment_link',
  /** A person retried or dismissed an outbox command the worker had given up on (dashboard, npm run retry-dead). */
  'dead_letter',
  /** A person replayed a stored event's shop write (npm run replay). */
  'event_replayed',
  'error',
] as const;
export type PaymentLogKind = (typeof PAYMENT_LOG_KINDS)[number];

export interface PaymentLogEntry {
  at: number;
  merchantOrderId: string | null;
  sessionId: string | null;
  provider: string | null;
  kind: PaymentLogKind;
  /** A sentence support understands. */
  message: string;
  /** Extra structured facts (ids, codes, durations); never secrets or raw bodies. */
  data?: Record<string, unknown>;
}

export interface PaymentLog {
  /** Several entries at once keep their order and cost one write (the webhook path appends two per event). */
  append(...entries: PaymentLogEntry[]): void;
  listByOrder(merchantOrderId: string): PaymentLogEntry[];
}
