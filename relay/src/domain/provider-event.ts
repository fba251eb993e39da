import type { PaymentStatus } from './payment-status';

/** Provider ids the relay knows. A new provider is added here, which makes every exhaustive switch fail to compile. */
export const PROVIDER_IDS = ['sandbox', 'stripe', 'mollie', 'adyen', 'paypal'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/** What a provider said happened, normalized. `unsupported` events are stored and acknowledged, never applied. */
export type EventStatus = PaymentStatus | 'unsupported';

/** A verified provider event, normalized. Built only by provider adapters after the signature checked out. */
export interface ProviderEvent {
  provider: ProviderId;
  /** Provider's event id; unique per provider and the dedupe key. */
  eventId: string;
  /** Provider's own event name, kept for the log (`checkout.session.completed`). */
  eventType: string;
  status: EventStatus;
  /** The provider's checkout session / payment id this event is about (how sessions are found). */
  providerSessionId?: string;
  /** The relay's own session id when the provider echoes it back (Stripe metadata, sandbox). */
  relaySessionId?: string;
  /** The shop's order id when the provider echoes it (Stripe client_reference_id). Only cross-checked. */
  merchantOrderId?: string;
  /** The id of the money movement (Stripe payment_intent, Mollie tr_…): WooCommerce's transaction_id. */
  providerPaymentId?: string;
  amountMinor?: number;
  currency?: string;
  /** Total refunded so far (for `refunded`): less than the amount means a partial refund. */
  refundedMinor?: number;
  /** This refund alone, when the provider does not say the total (Adyen REFUND items carry only their own amount). */
  refundIncrementMinor?: number;
  livemode: boolean;
  /** When the provider says it happened (ms since epoch). */
  occurredAt: number;
  /** The buyer approved but the money is not taken yet: the relay must capture it (PayPal Orders). */
  awaitingCapture?: boolean;
  /** Why, in words a support person understands (decline reason, review reason, expiry). */
  reason?: string;
}
