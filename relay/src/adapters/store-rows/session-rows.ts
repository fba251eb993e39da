import type { PaymentSession, RequestedMethod } from '../../domain/payment-session';
import type { PaymentStatus } from '../../domain/payment-status';
import type { ProviderId } from '../../domain/provider-event';
import type { SessionPatch } from '../../ports/session-store';

/** A payment_sessions row as both stores read it (SELECT *), and how it becomes a PaymentSession. */
export interface SessionRow {
  id: string;
  merchant_order_id: string;
  order_key: string;
  provider: string;
  provider_session_id: string | null;
  provider_payment_id: string | null;
  customer_email: string | null;
  customer_country: string | null;
  method: string;
  amount_minor: number;
  currency: string;
  status: string;
  refunded_minor: number;
  charged_back_minor: number;
  disputed_from: string | null;
  last_event_at: number | null;
  livemode: number;
  checkout_url: string | null;
  return_url: string | null;
  cancel_url: string | null;
  status_token: string;
  created_at: number;
  expires_at: number;
  updated_at: number;
}

/** The column each SessionPatch field writes. */
export const PATCH_COLUMNS: Record<keyof SessionPatch, string> = {
  status: 'status',
  providerSessionId: 'provider_session_id',
  providerPaymentId: 'provider_payment_id',
  refundedMinor: 'refunded_minor',
  checkoutUrl: 'checkout_url',
  expiresAt: 'expires_at',
  provider: 'provider',
  chargedBackMinor: 'charged_back_minor',
  disputedFrom: 'disputed_from',
  lastEventAt: 'last_event_at',
};

export function toSession(row: SessionRow | undefined): PaymentSession | null {
  if (!row) return null;
  return {
    id: row.id,
    merchantOrderId: row.merchant_order_id,
    orderKey: row.order_key,
    provider: row.provider as ProviderId,
    providerSessionId: row.provider_session_id,
    providerPaymentId: row.provider_payment_id,
    customerEmail: row.customer_email,
    customerCountry: row.customer_country,
    method: row.method as RequestedMethod,
    amountMinor: row.amount_minor,
    currency: row.currency,
    status: row.status as PaymentStatus,
    refundedMinor: row.refunded_minor,
    chargedBackMinor: row.charged_back_minor,
    disputedFrom: row.disputed_from as PaymentStatus | null,
    lastEventAt: row.last_event_at,
    livemode: row.livemode === 1,
    checkoutUrl: row.checkout_url,
    returnUrl: row.return_url,
    cancelUrl: row.cancel_url,
    statusToken: row.status_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
  };
}
