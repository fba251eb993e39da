import type { Result } from '../domain/result';

/** A WooCommerce order as the relay needs to see it before writing. */
export interface LiveOrder {
  id: string;
  /** WooCommerce status slug: pending, processing, on-hold, completed, cancelled, refunded, failed, … */
  status: string;
  currency: string;
  /** Order total in minor units; null when WooCommerce sent something that is not a number. */
  totalMinor: number | null;
  /** Gateway id that took the order; the relay writes only to orders of its own gateway (`payrelay`). */
  paymentMethod: string;
  transactionId: string;
  datePaid: string | null;
  /** Refund records on the order: WooCommerce lists them with it, so a retried refund is checked without another call. */
  refunds: OrderRefund[];
}

export interface OrderNote {
  id: string;
  note: string;
  customerNote: boolean;
}

export interface OrderRefund {
  id: string;
  amountMinor: number;
  reason: string;
}

/** Fields the relay may change on an order. */
export interface OrderUpdateFields {
  status?: 'pending' | 'processing' | 'on-hold' | 'cancelled' | 'refunded' | 'failed';
  set_paid?: true;
  transaction_id?: string;
}

/**
 * Failures classified at the adapter boundary by what the caller should do, judged by WooCommerce's
 * error `code` rather than the HTTP status alone (a PUT to a missing order is a 400, a bad refund a 500).
 */
export type GatewayFailure = {
  kind: 'retryable' | 'permanent' | 'not_found';
  /** Stable code: WooCommerce's error code, or `timeout`, `network`, `http_502`, … */
  code: string;
  /** In words support understands. */
  message: string;
  httpStatus?: number;
  /** From a Retry-After header. */
  retryAfterMs?: number;
};

/** The shop, as the outbox worker sees it. Implemented over the WooCommerce REST API (and by the demo shop). */
export interface OrderGateway {
  getOrder(orderId: string): Promise<Result<LiveOrder, GatewayFailure>>;
  /**
   * Several orders in one request (`GET orders?include=…`): the worker reads a batch of commands' orders at once.
   * An order the shop does not list (deleted, or a status the list leaves out) is simply absent from the answer.
   */
  getOrders(orderIds: string[]): Promise<Result<LiveOrder[], GatewayFailure>>;
  updateOrder(orderId: string, fields: OrderUpdateFields): Promise<Result<LiveOrder, GatewayFailure>>;
  listNotes(orderId: string): Promise<Result<OrderNote[], GatewayFailure>>;
  addNote(orderId: string, note: string): Promise<Result<OrderNote, GatewayFailure>>;
  /** A refund record only (`api_refund: false`): the money already moved at the provider. */
  createRefund(orderId: string, amountMinor: number, currency: string, reason: string): Promise<Result<OrderRefund, GatewayFailure>>;
  /** Can the relay reach and authenticate against the shop? (diagnostics) */
  ping(): Promise<Result<{ latencyMs: number }, GatewayFailure>>;
}
