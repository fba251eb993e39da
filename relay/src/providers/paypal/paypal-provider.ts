import axios from 'axios';
import type { RelayConfig } from '../../config/config-schema';
import { REFUND_REFERENCE_MAX_LENGTH } from '../../domain/lost-refund';
import { minorToDecimal } from '../../domain/money';
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
  ProviderRefund,
  RefundInput,
  RefundLookup,
  VerifiedWebhook,
  WebhookHeaders,
  WebhookRejection,
} from '../../ports/payment-provider';
import { isObject, obj, parseJsonObject, str, type JsonObject } from '../json-reader';
import { unsupportedPayment } from '../provider-failure';
import { classifyPaypalError, PaypalApi, paypalIssue } from './paypal-api';
import { httpsCertificateFetcher, PaypalCertificateCache } from './paypal-certificates';
import { parsePaypalEvent } from './paypal-event-schema';
import { readTransmission, verifyPaypalSignature, type PaypalTransmission } from './paypal-signature';
import { mapPaypalEvent, money, orderRefs, orderStatus } from './paypal-status-map';

export type PaypalConfig = NonNullable<RelayConfig['paypal']>;

export const PAYPAL_TIMEOUT_MS = 10_000;

export interface PaypalProviderDeps {
  clock: Clock;
  timeoutMs?: number;
  /** Signing certificates (tests inject one with their own root and fetcher). */
  certificates?: PaypalCertificateCache;
  /**
   * The webhook ids deliveries may be signed for, asked on every delivery: the configured one plus those
   * `providers:connect` stored (a rotation keeps the old id valid for its grace period).
   */
  webhookIds?: () => readonly string[];
}

/** PayPal Checkout (Orders v2, the approval link as hosted checkout) behind the PaymentProvider port. */
export class PaypalProvider implements PaymentProvider {
  readonly id = 'paypal' as const;
  readonly capabilities: ProviderCapabilities = { methods: ['wallet'], canExpire: false };
  private readonly api: PaypalApi;
  private readonly certificates: PaypalCertificateCache;
  private readonly webhookIds: () => readonly string[];

  constructor(private readonly config: PaypalConfig, private readonly deps: PaypalProviderDeps) {
    const timeoutMs = deps.timeoutMs ?? PAYPAL_TIMEOUT_MS;
    this.api = new PaypalApi(config, deps.clock, timeoutMs);
    this.certificates = deps.certificates ?? new PaypalCertificateCache(httpsCertificateFetcher(timeoutMs));
    this.webhookIds = deps.webhookIds ?? (() => config.webhookIds);
  }

  /**
   * Verified on the raw bytes with PayPal's certificate (fetched from PayPal only, chain and dates checked on the
   * injected clock). With `verification: 'api'` PayPal's verify-webhook-signature endpoint decides instead.
   */
  async verifyWebhook(raw: Buffer, headers: WebhookHeaders, now: number): Promise<Result<VerifiedWebhook, WebhookRejection>> {
    const transmission = readTransmission(headers);
    if (!transmission.ok) return transmission;
    const webhookIds = [...new Set(this.webhookIds())];
    if (webhookIds.length === 0) return err({ code: 'bad_signature', message: 'PAYPAL_WEBHOOK_ID is not configured, so no PayPal delivery can be verified' });
    const verified = this.config.verification === 'api'
      ? await this.verifyWithApi(raw, transmission.value, webhookIds)
      : await this.verifyLocally(raw, transmission.value, webhookIds, now);
    if (!verified.ok) return verified;
    const event = parsePaypalEvent(raw);
    if (!event.ok) return event;
    return ok({ kind: 'events', events: [mapPaypalEvent(event.value, this.config.livemode, now)] });
  }

  private async verifyLocally(raw: Buffer, transmission: PaypalTransmission, webhookIds: string[], now: number): Promise<Result<void, WebhookRejection>> {
    const leaf = await this.certificates.leafFor(transmission.certUrl, now);
    if (!leaf.ok) return leaf;
    let last: Result<void, WebhookRejection> = err({ code: 'bad_signature', message: 'no webhook id to verify with' });
    for (const webhookId of webhookIds) {
      last = verifyPaypalSignature(raw, transmission, webhookId, leaf.value);
      if (last.ok) return last;
    }
    return last;
  }

  /**
   * POST /v1/notifications/verify-webhook-signature. PayPal re-serializes the event it is given, so this checks
   * PayPal's reading of the body, not our bytes: kept as a fallback for setups that cannot fetch certificates.
   */
  private async verifyWithApi(raw: Buffer, transmission: PaypalTransmission, webhookIds: string[]): Promise<Result<void, WebhookRejection>> {
    const event = parseJsonObject(raw);
    if (!event) return err({ code: 'malformed', message: 'body is not a JSON object' });
    for (const webhookId of webhookIds) {
      try {
        const answer = await this.api.request({
          method: 'POST',
          url: '/v1/notifications/verify-webhook-signature',
          data: {
            auth_algo: transmission.authAlgo,
            cert_url: transmission.certUrl,
            transmission_id: transmission.transmissionId,
            transmission_sig: transmission.signature,
            transmission_time: transmission.transmissionTime,
            webhook_id: webhookId,
            webhook_event: event,
          },
        });
        if (isObject(answer) && str(answer, 'verification_status') === 'SUCCESS') return ok(undefined);
      } catch (error) {
        return err({ code: 'verification_unavailable', message: `PayPal's verify-webhook-signature API could not be asked (${classifyPaypalError(error).message}); please retry` });
      }
    }
    return err({ code: 'bad_signature', message: 'PayPal\'s verify-webhook-signature API did not confirm this delivery' });
  }

  async createCheckout(input: CreateCheckoutInput): Promise<Result<CreatedCheckout, ProviderFailure>> {
    if (input.method !== 'wallet' && input.method !== 'any') return err(unsupportedPayment(`PayPal takes wallet payments, not ${input.method}`));
    const body = {
      intent: 'CAPTURE',
      purchase_units: [
        {
          reference_id: input.merchantOrderId.slice(0, 256),
          custom_id: input.relaySessionId,
          description: `Order ${input.merchantOrderId}`.slice(0, 127),
          amount: { currency_code: input.currency.toUpperCase(), value: minorToDecimal(input.amountMinor, input.currency) },
        },
      ],
      payment_source: {
        paypal: {
          experience_context: {
            return_url: input.returnUrl,
            cancel_url: input.cancelUrl,
            user_action: 'PAY_NOW',
            shipping_preference: 'NO_SHIPPING',
            ...(paypalLocale(input.locale) ? { locale: paypalLocale(input.locale) } : {}),
          },
          ...(input.customerEmail ? { email_address: input.customerEmail } : {}),
        },
      },
    };
    try {
      const order = await this.api.request({
        method: 'POST',
        url: '/v2/checkout/orders',
        data: body,
        // The same request id returns the same order: a retried call never creates a second one.
        headers: { 'PayPal-Request-Id': input.idempotencyKey, Prefer: 'return=minimal', 'Content-Type': 'application/json' },
      });
      const id = isObject(order) ? str(order, 'id') : undefined;
      const approval = isObject(order) ? approvalLink(order) : undefined;
      if (!id || !approval) return err({ kind: 'fallback', code: 'server_error', message: 'PayPal created an order without an id or approval link' });
      return ok({ providerSessionId: id, checkoutUrl: approval, expiresAt: input.expiresAt, providerPaymentId: null });
    } catch (error) {
      return err(classifyPaypalError(error));
    }
  }

  async fetchStatus(ref: { providerSessionId: string; relaySessionId: string }): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>> {
    try {
      const order = await this.api.request({ method: 'GET', url: `/v2/checkout/orders/${encodeURIComponent(ref.providerSessionId)}` });
      if (!isObject(order) || str(order, 'id') !== ref.providerSessionId) return err({ kind: 'fallback', code: 'server_error', message: 'PayPal answered with something that is not this order' });
      return ok({ event: snapshotFromOrder(order, this.config.livemode, this.deps.clock.now()) });
    } catch (error) {
      return err(classifyPaypalError(error));
    }
  }

  /** PayPal orders cannot be closed by the merchant before approval; an unapproved order lapses on its own. */
  async expireCheckout(): Promise<Result<void, ProviderFailure>> {
    return ok(undefined);
  }

  /**
   * POST /v2/checkout/orders/{id}/capture with a request id derived from the order: a retry (or a second
   * APPROVED delivery) captures once. An order captured already is read back instead.
   */
  async capture(ref: { providerSessionId: string; relaySessionId: string }): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>> {
    try {
      const order = await this.api.request({
        method: 'POST',
        url: `/v2/checkout/orders/${encodeURIComponent(ref.providerSessionId)}/capture`,
        data: {},
        headers: { 'PayPal-Request-Id': `payrelay-capture-${ref.providerSessionId}`, Prefer: 'return=representation', 'Content-Type': 'application/json' },
      });
      if (!isObject(order)) return err({ kind: 'fallback', code: 'server_error', message: 'PayPal answered the capture with something that is not an order' });
      return ok({ event: snapshotFromOrder(order, this.config.livemode, this.deps.clock.now()) });
    } catch (error) {
      if (paypalIssue(error) === 'ORDER_ALREADY_CAPTURED') return this.fetchStatus(ref);
      return err(classifyPaypalError(error));
    }
  }

  /** POST /v2/payments/captures/{id}/refund; custom_id carries our session so the refund webhook finds it. */
  async refund(input: RefundInput): Promise<Result<ProviderRefund, ProviderFailure>> {
    try {
      const refund = await this.api.request({
        method: 'POST',
        url: `/v2/payments/captures/${encodeURIComponent(input.providerPaymentId)}/refund`,
        data: {
          amount: { value: minorToDecimal(input.amountMinor, input.currency), currency_code: input.currency.toUpperCase() },
          custom_id: input.relaySessionId,
          // Our key again, readable on the refund later: how a refund whose answer was lost is found (findRefund).
          invoice_id: input.idempotencyKey.slice(0, REFUND_REFERENCE_MAX_LENGTH),
          ...(input.reason ? { note_to_payer: input.reason.slice(0, 255) } : {}),
        },
        headers: { 'PayPal-Request-Id': input.idempotencyKey, Prefer: 'return=representation', 'Content-Type': 'application/json' },
      });
      const id = isObject(refund) ? str(refund, 'id') : undefined;
      const status = isObject(refund) ? str(refund, 'status') : undefined;
      if (!id) return err({ kind: 'final', code: 'server_error', message: 'PayPal answered the refund without a refund id' });
      if (status === 'CANCELLED' || status === 'FAILED') return err({ kind: 'final', code: 'bad_request', message: `PayPal did not make the refund (status ${status})` });
      return ok({ providerRefundId: id, status: status === 'COMPLETED' ? 'succeeded' : 'pending' });
    } catch (error) {
      const failure = classifyPaypalError(error);
      return err(axios.isAxiosError(error) && error.response?.status === 422 ? { ...failure, kind: 'final', code: 'bad_request' } : failure);
    }
  }

  /** GET /v2/checkout/orders/{id}: the order lists its capture's refunds, each with the invoice_id we gave it. */
  async findRefund(ref: RefundLookup): Promise<Result<ProviderRefund | null, ProviderFailure>> {
    if (!ref.providerSessionId) return err({ kind: 'final', code: 'bad_request', message: 'the PayPal order id of this payment is not known' });
    try {
      const order = await this.api.request({ method: 'GET', url: `/v2/checkout/orders/${encodeURIComponent(ref.providerSessionId)}` });
      if (!isObject(order) || str(order, 'id') !== ref.providerSessionId) return err({ kind: 'fallback', code: 'server_error', message: 'PayPal answered with something that is not this order' });
      return ok(refundWithKey(order, ref.idempotencyKey));
    } catch (error) {
      return err(classifyPaypalError(error));
    }
  }
}

/** A refund of the order carrying our key as invoice_id (refund above); a cancelled or failed one refunded nothing. */
function refundWithKey(order: JsonObject, key: string): ProviderRefund | null {
  const refunds = obj(firstUnitOf(order), 'payments')?.refunds;
  const refund = Array.isArray(refunds) ? refunds.filter(isObject).find((r) => str(r, 'invoice_id') === key.slice(0, REFUND_REFERENCE_MAX_LENGTH)) : undefined;
  const id = refund ? str(refund, 'id') : undefined;
  const status = refund ? str(refund, 'status') : undefined;
  if (!id || status === 'CANCELLED' || status === 'FAILED') return null;
  return { providerRefundId: id, status: status === 'COMPLETED' ? 'succeeded' : 'pending' };
}

/** The provider's current view of an order; the synthetic id names every field its status comes from. */
export function snapshotFromOrder(order: JsonObject, livemode: boolean, now: number): ProviderEvent {
  const mapped = orderStatus(order);
  const captures = obj(firstUnitOf(order), 'payments')?.captures;
  const capture = Array.isArray(captures) ? captures.find(isObject) : undefined;
  return {
    provider: 'paypal',
    eventId: `sync:${str(order, 'id')}:${str(order, 'status') ?? 'unknown'}:${str(capture, 'status') ?? 'none'}:${mapped.refundedMinor ?? 0}`,
    eventType: 'checkout.order.sync',
    livemode,
    occurredAt: now,
    ...orderRefs(order),
    ...(capture ? money(obj(capture, 'amount')) : {}),
    status: mapped.status,
    ...(mapped.refundedMinor !== undefined ? { refundedMinor: mapped.refundedMinor } : {}),
    ...(mapped.reason ? { reason: mapped.reason } : {}),
    ...(mapped.awaitingCapture ? { awaitingCapture: true } : {}),
  };
}

function firstUnitOf(order: JsonObject): JsonObject | undefined {
  return Array.isArray(order.purchase_units) ? order.purchase_units.find(isObject) : undefined;
}

/** `payer-action` with payment_source, `approve` on older integrations. */
function approvalLink(order: JsonObject): string | undefined {
  const links = Array.isArray(order.links) ? order.links.filter(isObject) : [];
  const link = links.find((l) => str(l, 'rel') === 'payer-action') ?? links.find((l) => str(l, 'rel') === 'approve');
  return str(link, 'href');
}

/** WordPress `nl_NL` → PayPal BCP 47 `nl-NL`. */
export function paypalLocale(locale: string | null): string | null {
  if (!locale) return null;
  const match = /^([a-z]{2})[-_]([A-Z]{2})$/.exec(locale);
  return match ? `${match[1]}-${match[2]}` : null;
}
