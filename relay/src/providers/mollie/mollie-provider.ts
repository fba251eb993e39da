import axios, { type AxiosInstance } from 'axios';
import type { RelayConfig } from '../../config/config-schema';
import { decimalToMinor, minorToDecimal } from '../../domain/money';
import type { PaymentMethod } from '../../domain/payment-session';
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
import { classifyAxiosFailure } from '../axios-failure';
import { isObject, obj, str, type JsonObject } from '../json-reader';
import { unsupportedPayment } from '../provider-failure';
import { headerValues } from '../webhook-headers';
import { MOLLIE_SIGNATURE_HEADER, verifyMollieSignature } from './mollie-signature';
import { mapMolliePayment, META_ORDER_ID, META_SESSION_ID } from './mollie-status-map';
import { MOLLIE_PAYMENT_ID, parseClassicWebhook, parseNextGenEvent } from './mollie-webhook-schema';

/** The relay's refund key, kept on the refund: how a refund whose answer was lost is found again. */
const META_REFUND_KEY = 'payrelay_refund_key';

export type MollieConfig = NonNullable<RelayConfig['mollie']>;

export const MOLLIE_TIMEOUT_MS = 10_000;

/** Mollie's checkout locales (https://docs.mollie.com/reference/create-payment, `locale`). */
const MOLLIE_LOCALES = new Set([
  'en_US', 'en_GB', 'nl_NL', 'nl_BE', 'de_DE', 'de_AT', 'de_CH', 'fr_FR', 'fr_BE', 'es_ES', 'ca_ES', 'pt_PT', 'it_IT', 'nb_NO',
  'sv_SE', 'fi_FI', 'da_DK', 'is_IS', 'hu_HU', 'pl_PL', 'lv_LV', 'lt_LT',
]);

/** Field names in a Mollie 422 that mean "not this method, amount or currency here": another provider may take it. */
const UNSUPPORTED_FIELDS = new Set(['method', 'amount', 'amount.value', 'amount.currency', 'currency']);

export interface MollieProviderOptions {
  /** Signing secrets for next-gen webhooks (MOLLIE_WEBHOOK_SECRET, comma-separated during rotation). */
  webhookSecrets?: readonly string[];
  timeoutMs?: number;
}

/**
 * Mollie Payments API over axios. @mollie/api-client takes a custom endpoint, but it retries every 5xx twice with
 * fixed 2 s sleeps and has no request timeout, which would eat the routing time budget; axios gives us both.
 */
export class MollieProvider implements PaymentProvider {
  readonly id = 'mollie' as const;
  readonly capabilities: ProviderCapabilities = { methods: ['bank_transfer', 'card', 'wallet'], canExpire: true };
  private readonly http: AxiosInstance;
  private readonly webhookSecrets: readonly string[];

  constructor(config: MollieConfig, private readonly deps: { clock: Clock }, options: MollieProviderOptions = {}) {
    const base = config.apiBase.replace(/\/+$/, '');
    this.http = axios.create({
      baseURL: base.endsWith('/v2') ? base : `${base}/v2`,
      timeout: options.timeoutMs ?? MOLLIE_TIMEOUT_MS,
      headers: { Authorization: `Bearer ${config.apiKey}`, Accept: 'application/hal+json' },
    });
    this.webhookSecrets = options.webhookSecrets ?? [];
  }

  /**
   * Classic webhooks are unsigned `id=tr_…` pings; signed next-gen events are verified, and a payment event is
   * still only a notification: the relay fetches the payment before trusting any status.
   */
  verifyWebhook(raw: Buffer, headers: WebhookHeaders, _now: number): Result<VerifiedWebhook, WebhookRejection> {
    const signatures = headerValues(headers, MOLLIE_SIGNATURE_HEADER);
    if (signatures.length === 0) {
      const id = parseClassicWebhook(raw);
      return id.ok ? ok({ kind: 'notification', providerPaymentRef: id.value }) : id;
    }
    const verified = verifyMollieSignature(raw, signatures, this.webhookSecrets);
    if (!verified.ok) return verified;
    const event = parseNextGenEvent(raw);
    if (!event.ok) return event;
    const { entityId } = event.value;
    if (entityId && MOLLIE_PAYMENT_ID.test(entityId)) return ok({ kind: 'notification', providerPaymentRef: entityId });
    // Payment links, refunds as entities, …: the relay creates payments only, so these are stored, never applied.
    const occurredAt = event.value.createdAt ? Date.parse(event.value.createdAt) : NaN;
    return ok({
      kind: 'events',
      events: [
        {
          provider: 'mollie',
          eventId: event.value.id,
          eventType: event.value.type,
          status: 'unsupported',
          livemode: event.value.mode === 'live',
          occurredAt: Number.isFinite(occurredAt) ? occurredAt : _now,
          ...(entityId ? { providerSessionId: entityId } : {}),
        },
      ],
    });
  }

  async createCheckout(input: CreateCheckoutInput): Promise<Result<CreatedCheckout, ProviderFailure>> {
    const method = mollieMethod(input.method, input.customerCountry);
    if (method === 'unsupported') return err(unsupportedPayment(`Mollie is not set up for ${input.method} payments`));
    const locale = mollieLocale(input.locale);
    const body: JsonObject = {
      amount: { currency: input.currency.toUpperCase(), value: minorToDecimal(input.amountMinor, input.currency) },
      description: `Order ${input.merchantOrderId}`,
      redirectUrl: input.returnUrl,
      cancelUrl: input.cancelUrl,
      webhookUrl: input.webhookUrl,
      metadata: { [META_SESSION_ID]: input.relaySessionId, [META_ORDER_ID]: input.merchantOrderId },
      ...(method ? { method } : {}),
      ...(locale ? { locale } : {}),
      // Only bank transfer takes an expiry at creation (dueDate, from tomorrow); other methods expire on Mollie's
      // own clock, and the relay cancels open payments itself when its session expires.
      ...(method === 'banktransfer' ? { dueDate: dueDate(input.expiresAt, this.deps.clock.now()) } : {}),
    };
    try {
      const response = await this.http.post('/payments', body, { headers: { 'Idempotency-Key': input.idempotencyKey } });
      const payment: unknown = response.data;
      const id = isObject(payment) ? str(payment, 'id') : undefined;
      const checkoutUrl = isObject(payment) ? str(obj(obj(payment, '_links'), 'checkout'), 'href') : undefined;
      if (!id || !checkoutUrl) return err({ kind: 'fallback', code: 'server_error', message: 'Mollie created a payment without an id or checkout link' });
      const expiresAt = isObject(payment) ? Date.parse(str(payment, 'expiresAt') ?? '') : NaN;
      return ok({ providerSessionId: id, checkoutUrl, expiresAt: Number.isFinite(expiresAt) ? expiresAt : input.expiresAt, providerPaymentId: id });
    } catch (error) {
      return err(classifyMollieError(error));
    }
  }

  async fetchStatus(ref: { providerSessionId: string; relaySessionId: string }): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>> {
    const payment = await this.getPayment(ref.providerSessionId);
    if (!payment.ok) return payment;
    const chargedBack = await this.chargedBackNet(payment.value);
    const seen = chargedBack ? { ...payment.value, amountChargedBack: chargedBack } : payment.value;
    const refundReferences = await this.refundReferences(payment.value);
    return ok({ event: { ...mapMolliePayment(seen, this.deps.clock.now()), ...(refundReferences ? { refundReferences } : {}) } });
  }

  /**
   * What chargebacks still take, from GET /v2/payments/{id}/chargebacks: those with `reversedAt` gave the money back
   * (https://docs.mollie.com/reference/v2/chargebacks-api/list-payment-chargebacks), whatever the payment's own
   * amountChargedBack says. Only when the payment lists chargebacks; null = keep the payment's own figures (none
   * listed, or the list could not be read).
   */
  private async chargedBackNet(payment: JsonObject): Promise<{ value: string; currency: string } | null> {
    const id = str(payment, 'id');
    if (!id || obj(obj(payment, '_links'), 'chargebacks') === undefined) return null;
    try {
      const response = await this.http.get(`/payments/${encodeURIComponent(id)}/chargebacks`);
      const embedded = isObject(response.data) ? obj(response.data, '_embedded') : undefined;
      const list = embedded && Array.isArray(embedded.chargebacks) ? embedded.chargebacks.filter(isObject) : [];
      let currency: string | undefined;
      let minor = 0;
      for (const chargeback of list) {
        const amount = obj(chargeback, 'amount');
        const cents = decimalToMinor(str(amount, 'value') ?? '', str(amount, 'currency') ?? '');
        if (cents === null) return null;
        currency = str(amount, 'currency');
        if (!str(chargeback, 'reversedAt')) minor += cents;
      }
      return list.length > 0 && currency ? { value: minorToDecimal(minor, currency), currency } : null;
    } catch {
      return null;
    }
  }

  async expireCheckout(ref: { providerSessionId: string }): Promise<Result<void, ProviderFailure>> {
    const payment = await this.getPayment(ref.providerSessionId);
    if (!payment.ok) return payment;
    // Only some methods and states can be cancelled; a payment that cannot is already settled or will expire itself.
    if (payment.value.isCancelable !== true) return ok(undefined);
    try {
      await this.http.delete(`/payments/${encodeURIComponent(ref.providerSessionId)}`);
      return ok(undefined);
    } catch (error) {
      // 422: it stopped being cancelable between our two calls (paid, expired): nothing left to close.
      if (axios.isAxiosError(error) && error.response?.status === 422) return ok(undefined);
      return err(classifyMollieError(error));
    }
  }

  /** POST /v2/payments/{id}/refunds with an Idempotency-Key tied to the shop's refund. */
  async refund(input: RefundInput): Promise<Result<ProviderRefund, ProviderFailure>> {
    if (!MOLLIE_PAYMENT_ID.test(input.providerPaymentId)) return err({ kind: 'final', code: 'bad_request', message: `${input.providerPaymentId} is not a Mollie payment id` });
    try {
      const response = await this.http.post(
        `/payments/${encodeURIComponent(input.providerPaymentId)}/refunds`,
        {
          amount: { currency: input.currency.toUpperCase(), value: minorToDecimal(input.amountMinor, input.currency) },
          ...(input.reason ? { description: input.reason.slice(0, 255) } : {}),
          metadata: { [META_SESSION_ID]: input.relaySessionId, [META_REFUND_KEY]: input.idempotencyKey },
        },
        { headers: { 'Idempotency-Key': input.idempotencyKey } },
      );
      const refund: unknown = response.data;
      const id = isObject(refund) ? str(refund, 'id') : undefined;
      const status = isObject(refund) ? str(refund, 'status') : undefined;
      if (!id) return err({ kind: 'final', code: 'server_error', message: 'Mollie answered the refund without a refund id' });
      if (status === 'failed' || status === 'canceled') return err({ kind: 'final', code: 'bad_request', message: `Mollie did not make the refund (status ${status})` });
      return ok({ providerRefundId: id, status: status === 'refunded' ? 'succeeded' : 'pending' });
    } catch (error) {
      const failure = classifyMollieError(error);
      // A 422 here is Mollie refusing this refund (too much, payment not refundable), never "try another provider".
      return err(failure.code === 'unsupported_payment' ? { ...failure, kind: 'final', code: 'bad_request' } : failure);
    }
  }

  /** GET /v2/payments/{id}/refunds: our key is in each refund's metadata. */
  async findRefund(ref: RefundLookup): Promise<Result<ProviderRefund | null, ProviderFailure>> {
    if (!MOLLIE_PAYMENT_ID.test(ref.providerPaymentId)) return err({ kind: 'final', code: 'bad_request', message: `${ref.providerPaymentId} is not a Mollie payment id` });
    try {
      const list = await this.listRefunds(ref.providerPaymentId);
      const refund = list.find((r) => str(obj(r, 'metadata') ?? {}, META_REFUND_KEY) === ref.idempotencyKey);
      const id = refund ? str(refund, 'id') : undefined;
      const status = refund ? str(refund, 'status') : undefined;
      if (!id || status === 'failed' || status === 'canceled') return ok(null);
      return ok({ providerRefundId: id, status: status === 'refunded' ? 'succeeded' : 'pending' });
    } catch (error) {
      return err(classifyMollieError(error));
    }
  }

  /** GET /v2/payments/{id}/refunds (throws what axios throws). */
  private async listRefunds(paymentId: string): Promise<JsonObject[]> {
    const response = await this.http.get(`/payments/${encodeURIComponent(paymentId)}/refunds`, { params: { limit: 250 } });
    const embedded = isObject(response.data) ? obj(response.data, '_embedded') : undefined;
    return embedded && Array.isArray(embedded.refunds) ? embedded.refunds.filter(isObject) : [];
  }

  /**
   * Our keys on the payment's refunds that are not failed or canceled, so the refund this fetch shows is matched to
   * the right refund asked for in the shop (ProviderEvent.refundReferences). Only for a payment with refunds;
   * undefined when the list cannot be read (the event then says only an amount).
   */
  private async refundReferences(payment: JsonObject): Promise<string[] | undefined> {
    const id = str(payment, 'id');
    const refunded = Number(str(obj(payment, 'amountRefunded'), 'value') ?? '0');
    if (!id || !(refunded > 0)) return undefined;
    try {
      const list = await this.listRefunds(id);
      return list
        .filter((r) => str(r, 'status') !== 'failed' && str(r, 'status') !== 'canceled')
        .map((r) => str(obj(r, 'metadata') ?? {}, META_REFUND_KEY))
        .filter((key): key is string => key !== undefined);
    } catch {
      return undefined;
    }
  }

  private async getPayment(id: string): Promise<Result<JsonObject, ProviderFailure>> {
    if (!MOLLIE_PAYMENT_ID.test(id)) return err({ kind: 'final', code: 'bad_request', message: `${id} is not a Mollie payment id` });
    try {
      const response = await this.http.get(`/payments/${encodeURIComponent(id)}`);
      const body: unknown = response.data;
      if (!isObject(body) || str(body, 'resource') !== 'payment' || str(body, 'id') !== id) {
        return err({ kind: 'fallback', code: 'server_error', message: 'Mollie answered with something that is not this payment' });
      }
      return ok(body);
    } catch (error) {
      return err(classifyMollieError(error));
    }
  }
}

/** Mollie errors are `{status, title, detail, field?}` (https://docs.mollie.com/reference/handling-errors). */
export function classifyMollieError(error: unknown): ProviderFailure {
  return classifyAxiosFailure(error, (httpStatus, body) => {
    const detail = isObject(body) ? str(body, 'detail') ?? str(body, 'title') : undefined;
    const field = isObject(body) ? str(body, 'field') : undefined;
    const unsupported =
      httpStatus === 422 && ((field !== undefined && UNSUPPORTED_FIELDS.has(field)) || /not (activated|enabled|available|supported)/i.test(detail ?? ''));
    return { message: detail ?? `HTTP ${httpStatus}`, providerCode: field ? `field ${field}` : undefined, unsupported };
  });
}

/** undefined = let the shopper choose on Mollie's page. Bank payments follow the customer's country. */
export function mollieMethod(method: PaymentMethod | 'any', country: string | null): string | string[] | undefined | 'unsupported' {
  switch (method) {
    case 'any':
      return undefined;
    case 'card':
      return 'creditcard';
    case 'wallet':
      return ['applepay', 'paypal'];
    case 'bank_transfer': {
      const byCountry: Record<string, string> = { NL: 'ideal', BE: 'bancontact' };
      return byCountry[(country ?? '').toUpperCase()] ?? 'banktransfer';
    }
    case 'crypto':
      return 'unsupported';
  }
}

export function mollieLocale(locale: string | null): string | null {
  if (!locale) return null;
  const underscored = locale.replace('-', '_');
  if (MOLLIE_LOCALES.has(underscored)) return underscored;
  const language = underscored.split('_')[0].toLowerCase();
  return [...MOLLIE_LOCALES].find((candidate) => candidate.startsWith(`${language}_`)) ?? null;
}

/** YYYY-MM-DD; Mollie accepts tomorrow at the earliest. */
function dueDate(expiresAt: number, now: number): string {
  const tomorrow = now + 24 * 60 * 60 * 1000;
  return new Date(Math.max(expiresAt, tomorrow)).toISOString().slice(0, 10);
}
