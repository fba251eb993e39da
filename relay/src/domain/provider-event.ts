import type { PaymentStatus } from './payment-status';

/** Provider ids the relay knows. A new provider is added here, which makes every exhaustive switch fail to compile. */
export const PROVIDER_IDS = ['sandbox', 'stripe', 'mollie', 'adyen', 'paypal', 'coinbase-commerce'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/**
 * What a provider said happened, normalized. `unsupported` events are stored and acknowledged, never applied.
 * `dispute` is a dispute or chargeback; its facts are in `ProviderEvent.dispute` (without them it is not applied).
 */
export type EventStatus = PaymentStatus | 'dispute' | 'unsupported';

/**
 * A dispute (Stripe) or chargeback (Mollie, Adyen): the customer's bank contests or takes back money already paid.
 * Generic on purpose: Stripe `charge.dispute.*`, Mollie `amountChargedBack`, Adyen NOTIFICATION_OF_CHARGEBACK
 * (opened), CHARGEBACK (lost), CHARGEBACK_REVERSED (won) all map onto it.
 */
export interface DisputeFacts {
  /** opened: contested, the shop can still answer; won: the bank ruled for the shop; lost: the money is gone. */
  phase: 'opened' | 'won' | 'lost';
  /** The provider's id of the dispute or chargeback (dp_…, Adyen pspReference, Mollie payment id). */
  disputeId: string;
  /** The disputed amount (minor units, in `currency`). */
  amountMinor: number;
  currency: string;
  /**
   * For providers that report only a running total of money charged back (Mollie `amountChargedBack`): the new
   * loss is this total minus what was already recorded, so the same total seen twice takes nothing twice.
   */
  totalChargedBackMinor?: number;
  /** The bank's reason, in words. */
  reason?: string;
  /** Last moment to answer with evidence (ms since epoch), when the provider gives one (Stripe `evidence_details.due_by`). */
  respondBy?: number;
  /** Where support answers or accepts it, in words: "the Stripe Dashboard (Payments → Disputes)". */
  respondAt: string;
}

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
  /**
   * Our references (shopRefundKey) of the refunds this event shows made, when the provider says which refunds it is
   * about: PayPal's refund resource (its invoice_id), the refunds a Stripe charge lists (their metadata), a Mollie
   * payment's refunds (their metadata). Empty: the event names refunds, none of them asked for by the shop (a
   * dashboard refund). Absent: it says only an amount.
   */
  refundReferences?: string[];
  /**
   * `refundReferences` lists every refund in `refundedMinor` (a Stripe charge's whole refund list, in the same
   * object as its total), so a refund asked for in the shop that it does not name is not in the total. Absent: the
   * list may be one refund of several (PayPal's refund resource) or read apart from the total (Mollie).
   */
  refundReferencesComplete?: boolean;
  /** This refund alone, when the provider does not say the total (Adyen REFUND items carry only their own amount). */
  refundIncrementMinor?: number;
  /**
   * The refund this event is the final word on, where the provider answers a refund request with "received" and
   * says later whether it went through (Adyen REFUND / REFUND_FAILED): matched against the refunds the shop asked
   * for (their provider refund id, or the reference we sent), so the shop's own refund is not counted twice.
   */
  refundOutcome?: { providerRefundId: string; reference?: string; made: boolean; amountMinor?: number; /** The provider's words when it failed. */ reason?: string };
  livemode: boolean;
  /** When the provider says it happened (ms since epoch). */
  occurredAt: number;
  /** The buyer approved but the money is not taken yet: the relay must capture it (PayPal Orders). */
  awaitingCapture?: boolean;
  /** Why, in words a support person understands (decline reason, review reason, expiry). */
  reason?: string;
  /** For `failed`: whether the provider failed to process it or the customer's bank declined (routing health). */
  declineFault?: 'provider' | 'customer';
  /**
   * How the relay learned it. `poll` = the relay read the provider's current state (reconciliation, expiry, "check
   * payment", Mollie fetches): a poll can confirm money but never ends a review or a dispute, is never stale, and
   * its time is the relay's own. Absent = a signed webhook. Set by the relay when it asks, not by adapters.
   */
  source?: 'webhook' | 'poll';
  /**
   * The provider's own decision on a review it opened (Stripe `review.closed` approved, Adyen
   * MANUAL_REVIEW_ACCEPT / MANUAL_REVIEW_REJECT). Only this, or a person in the shop, ends a review: a plain
   * `paid` (a late checkout.session.completed, a poll) leaves a held payment held.
   */
  reviewVerdict?: 'approved' | 'rejected';
  /** Set when `status` is `dispute`. */
  dispute?: DisputeFacts;
}
