import { PAYMENT_METHODS } from '../../domain/payment-session';
import type { ProviderEvent } from '../../domain/provider-event';
import { err, ok, type Result } from '../../domain/result';
import type { Clock } from '../../ports/clock';
import type {
  CreateCheckoutInput,
  CreatedCheckout,
  PaymentProvider,
  ProviderCapabilities,
  ProviderFailure,
  ProviderPaymentSnapshot,
  VerifiedWebhook,
  WebhookHeaders,
  WebhookRejection,
} from '../../ports/payment-provider';
import { sandboxEventType, mapSandboxEvent, parseSandboxEvent } from './sandbox-event-schema';
import type { SandboxLedger, SandboxPayment } from './sandbox-ledger';
import { verifySandboxSignature } from './sandbox-signature';

export interface SandboxProviderDeps {
  ledger: SandboxLedger;
  secret: string;
  /** Where browsers reach the relay; the checkout page lives under it. A function when known only after listening. */
  publicUrl: string | (() => string);
  clock: Clock;
}

export function sandboxCheckoutUrl(publicUrl: string, relaySessionId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/sandbox/checkout/${encodeURIComponent(relaySessionId)}`;
}

/** The relay's own test provider: signed like a real one, its "provider side" kept in the sandbox ledger. */
export class SandboxProvider implements PaymentProvider {
  readonly id = 'sandbox' as const;
  readonly capabilities: ProviderCapabilities = { methods: PAYMENT_METHODS, canExpire: true };

  constructor(private readonly deps: SandboxProviderDeps) {}

  verifyWebhook(raw: Buffer, headers: WebhookHeaders, now: number): Result<VerifiedWebhook, WebhookRejection> {
    const verified = verifySandboxSignature(raw, headers, this.deps.secret, now);
    if (!verified.ok) return verified;
    const body = parseSandboxEvent(raw);
    if (!body.ok) return body;
    return ok({ kind: 'events', events: [mapSandboxEvent(body.value)] });
  }

  async createCheckout(input: CreateCheckoutInput): Promise<Result<CreatedCheckout, ProviderFailure>> {
    const payment = this.deps.ledger.open(
      { relaySessionId: input.relaySessionId, amountMinor: input.amountMinor, currency: input.currency, expiresAt: input.expiresAt },
      this.deps.clock.now(),
    );
    return ok({
      providerSessionId: payment.relaySessionId,
      checkoutUrl: sandboxCheckoutUrl(typeof this.deps.publicUrl === 'function' ? this.deps.publicUrl() : this.deps.publicUrl, input.relaySessionId),
      expiresAt: payment.expiresAt,
      providerPaymentId: payment.paymentId,
    });
  }

  async fetchStatus(ref: { providerSessionId: string; relaySessionId: string }): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>> {
    const now = this.deps.clock.now();
    const payment = this.expireIfDue(ref.providerSessionId || ref.relaySessionId, now);
    if (!payment) return err({ kind: 'final', code: 'not_found', message: `the sandbox has no session ${ref.providerSessionId}` });
    return ok({ event: snapshotEvent(payment, now) });
  }

  async expireCheckout(ref: { providerSessionId: string }): Promise<Result<void, ProviderFailure>> {
    const payment = this.deps.ledger.get(ref.providerSessionId);
    if (!payment) return err({ kind: 'final', code: 'not_found', message: `the sandbox has no session ${ref.providerSessionId}` });
    // Like a real provider, only a session nobody has paid on yet can be closed; anything else is already settled.
    if (payment.status === 'created') this.deps.ledger.record(payment.relaySessionId, { status: 'expired', reason: 'expired at the relay\'s request' }, this.deps.clock.now());
    return ok(undefined);
  }

  /** A sandbox session left open past its expiry is expired, as a real provider would report it. */
  private expireIfDue(relaySessionId: string, now: number): SandboxPayment | null {
    const payment = this.deps.ledger.get(relaySessionId);
    if (payment && payment.status === 'created' && now >= payment.expiresAt) {
      return this.deps.ledger.record(relaySessionId, { status: 'expired', reason: 'the customer did not pay before the session expired' }, now);
    }
    return payment;
  }
}

function snapshotEvent(payment: SandboxPayment, now: number): ProviderEvent {
  return {
    provider: 'sandbox',
    eventId: `sync:${payment.relaySessionId}:${payment.status}:${payment.refundedMinor}`,
    eventType: `sync.${sandboxEventType(payment.status) ?? 'payment.created'}`,
    status: payment.status,
    providerSessionId: payment.relaySessionId,
    relaySessionId: payment.relaySessionId,
    providerPaymentId: payment.paymentId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    livemode: false,
    occurredAt: now,
    ...(payment.status === 'refunded' ? { refundedMinor: payment.refundedMinor || payment.amountMinor } : {}),
    ...(payment.reason ? { reason: payment.reason } : {}),
  };
}
