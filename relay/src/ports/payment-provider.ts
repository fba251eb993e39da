import type { PaymentMethod } from '../domain/payment-session';
import type { ProviderEvent, ProviderId } from '../domain/provider-event';
import type { Result } from '../domain/result';

/** Header names lower-cased, as node gives them. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** Why a webhook was not accepted; the HTTP layer maps each code to a status (401, 400). */
export type WebhookRejection = {
  /** `verification_unavailable`: the check itself could not run (PayPal's certificate unreachable): 503, retried. */
  code: 'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'malformed' | 'verification_unavailable';
  /** Safe to send back to the provider and to log: never contains the body or a secret. */
  message: string;
};

export type VerifiedWebhook =
  /** Signed events, ready to dedupe and decide. Most deliveries carry one; Adyen batches several. */
  | {
      kind: 'events';
      events: ProviderEvent[];
      /**
       * Items of a batch that failed on their own (Adyen signs each item): recorded as rejections, while the
       * good events in the same delivery are stored and acknowledged. Absent for single-event schemes.
       */
      rejected?: WebhookRejection[];
      /** A plain-text answer the provider expects instead of the JSON receipt (Adyen: `[accepted]`). */
      acknowledgement?: string;
    }
  /**
   * An unsigned "something changed" ping (Mollie classic webhooks carry only `id=tr_…`). Nothing in it is
   * trusted: the relay stores it, acknowledges, and the worker fetches the payment from the provider's API.
   */
  | { kind: 'notification'; providerPaymentRef: string };

/** What the relay asks a provider to create: one hosted checkout for one attempt at paying one order. */
export interface CreateCheckoutInput {
  relaySessionId: string;
  merchantOrderId: string;
  amountMinor: number;
  currency: string;
  customerEmail: string | null;
  customerCountry: string | null;
  method: PaymentMethod | 'any';
  returnUrl: string;
  cancelUrl: string;
  locale: string | null;
  /** When the provider should stop accepting payment (ms since epoch). */
  expiresAt: number;
  /** Stable per order and attempt: a retried call must never create a second session at the provider. */
  idempotencyKey: string;
  /** Where the provider should send webhooks (needed by Mollie, which takes it per payment). */
  webhookUrl: string;
}

export interface CreatedCheckout {
  providerSessionId: string;
  checkoutUrl: string;
  /** The provider's own expiry, which may differ from what was asked. */
  expiresAt: number;
  providerPaymentId: string | null;
}

/** The provider's current view of a session/payment, used by expiry, reconciliation and Mollie webhooks. */
export interface ProviderPaymentSnapshot {
  /** Normalized like a webhook, with a synthetic `eventId` that is stable for (payment, state). */
  event: ProviderEvent;
}

/**
 * Failures calling a provider, classified for routing: `fallback` means another provider may take the
 * payment (timeout, network, 5xx, "cannot take this payment"); `final` means retrying elsewhere is pointless
 * or unsafe (our request was invalid, our key was refused).
 */
export type ProviderFailure = {
  kind: 'fallback' | 'final';
  code: 'timeout' | 'network' | 'server_error' | 'rate_limited' | 'unsupported_payment' | 'bad_request' | 'auth' | 'not_found';
  message: string;
  httpStatus?: number;
};

export interface ProviderCapabilities {
  methods: readonly PaymentMethod[];
  /** Upper-case ISO 4217 codes; undefined = any. */
  currencies?: readonly string[];
  /** Whether an open session can be expired at the provider. */
  canExpire: boolean;
}

/** One payment provider behind one port, found by id in the provider registry. */
export interface PaymentProvider {
  readonly id: ProviderId;
  readonly capabilities: ProviderCapabilities;
  /**
   * Verify the raw bytes (before parsing), then normalize. `now` is injected (ms since epoch) so tests
   * never sleep to move time.
   */
  verifyWebhook(raw: Buffer, headers: WebhookHeaders, now: number): Result<VerifiedWebhook, WebhookRejection> | Promise<Result<VerifiedWebhook, WebhookRejection>>;
  createCheckout(input: CreateCheckoutInput): Promise<Result<CreatedCheckout, ProviderFailure>>;
  /** Ask the provider what happened to a session (or, for Mollie, a payment id). */
  fetchStatus(ref: { providerSessionId: string; relaySessionId: string }): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>>;
  /** Close an open session so the customer can no longer pay on it; a no-op success where unsupported. */
  expireCheckout(ref: { providerSessionId: string }): Promise<Result<void, ProviderFailure>>;
  /**
   * Take the money of an approved payment (PayPal: the buyer approved the order, the relay captures it). Only
   * providers whose events say `awaitingCapture` have it. Idempotent: capturing twice takes the money once.
   */
  capture?(ref: { providerSessionId: string; relaySessionId: string }): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>>;
  /** Give money back. Absent where the provider has no refund API (Coinbase Commerce). */
  refund?(input: RefundInput): Promise<Result<ProviderRefund, ProviderFailure>>;
  /**
   * The refund asked for with `idempotencyKey` (our key, carried in the refund's metadata), when its answer was
   * lost: the refund the provider made, or null when it has none (or only a failed one), i.e. nothing was refunded.
   * A provider with no way to list refunds (Adyen) replays the request under the same key instead: the first
   * answer if it arrived, or the refund made now, the one the merchant asked for; never null.
   */
  findRefund?(ref: RefundLookup): Promise<Result<ProviderRefund | null, ProviderFailure>>;
}

export type RefundLookup = Pick<RefundInput, 'relaySessionId' | 'providerPaymentId' | 'providerSessionId' | 'idempotencyKey' | 'amountMinor' | 'currency'>;

export interface RefundInput {
  relaySessionId: string;
  providerSessionId: string | null;
  /** The money movement to refund (Stripe payment_intent, Mollie tr_…, PayPal capture id). */
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  /** Tied to the shop's refund: asking twice for the same WooCommerce refund refunds once. */
  idempotencyKey: string;
  reason: string | null;
}

export interface ProviderRefund {
  providerRefundId: string;
  /** `pending`: accepted, the money moves later (PayPal e-checks, SEPA). */
  status: 'succeeded' | 'pending';
}
